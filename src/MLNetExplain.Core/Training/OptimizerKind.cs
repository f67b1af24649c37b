namespace MLNetExplain.Training;

/// <summary>Optimisers the classifier trainers offer.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (optionally Nesterov) and L2 weight decay (the robustness library's choice).</summary>
    Sgd,

    /// <summary>Adam with L2 weight decay.</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay (RobustAGA's default, seed 004).</summary>
    AdamW,
}
