namespace MLNetExplain.Training;

/// <summary>Learning-rate schedules, applied once per epoch after the optional linear warm-up.</summary>
public enum ScheduleKind
{
    /// <summary>A constant rate.</summary>
    Constant,

    /// <summary>Multiply by Gamma every StepSize epochs (PyTorch's StepLR).</summary>
    Step,

    /// <summary>Multiply by Gamma at each milestone epoch (PyTorch's MultiStepLR).</summary>
    MultiStep,

    /// <summary>Cosine annealing from the initial rate towards zero over the epochs after the warm-up.</summary>
    Cosine,
}
