namespace MLNetExplain.Training;

/// <summary>
/// The learning rate of each epoch as a pure function of the epoch, so a resumed run needs no scheduler state.
/// </summary>
internal static class LearningRates
{
    /// <summary>
    /// Warm-up epochs ramp linearly from lr / (W + 1) towards lr (epoch e &lt; W gets lr (e + 1) / (W + 1)); later epochs
    /// follow the schedule, counted from the end of the warm-up (milestones count from the start of the run, as
    /// PyTorch's MultiStepLR does).
    /// </summary>
    public static double ForEpoch(ClassifierTrainer.Options o, int epoch)
    {
        if (epoch < o.WarmupEpochs)
        {
            return o.LearningRate * (epoch + 1) / (o.WarmupEpochs + 1);
        }

        int e = epoch - o.WarmupEpochs;
        int span = Math.Max(1, o.Epochs - o.WarmupEpochs);
        return o.Schedule switch
        {
            ScheduleKind.Constant => o.LearningRate,
            ScheduleKind.Step => o.LearningRate * Math.Pow(o.Gamma, e / o.StepSize),
            ScheduleKind.MultiStep => o.LearningRate * Math.Pow(o.Gamma, o.Milestones.Count(m => m <= epoch)),
            ScheduleKind.Cosine => o.LearningRate * (1 + Math.Cos(Math.PI * Math.Min(e, span) / span)) / 2,
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Schedule, "Unknown schedule."),
        };
    }
}
