namespace MLNetExplain.Models;

/// <summary>Architectures a <see cref="ClassifierSpec"/> can build.</summary>
public enum ClassifierArchitecture
{
    /// <summary>A CIFAR-style <see cref="Models.ResNet"/> (ResNet-18 or the compact 16/32/64 variant).</summary>
    ResNet,

    /// <summary>The plain <see cref="Models.SmallCnn"/>.</summary>
    SmallCnn,
}
