namespace MLNetExplain.Cli.Demo;

/// <summary>Architectures the demo can train for f and f'.</summary>
public enum DemoModel
{
    /// <summary>The small plain CNN (fast on a CPU).</summary>
    SmallCnn,

    /// <summary>The compact 3-stage ResNet.</summary>
    CompactResNet,

    /// <summary>CIFAR ResNet-18 (slow on a CPU).</summary>
    ResNet18,
}
