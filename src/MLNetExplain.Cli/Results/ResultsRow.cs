namespace MLNetExplain.Cli.Results;

/// <summary>One trained model's line of the results table.</summary>
internal sealed record ResultsRow(string Model, double CleanAccuracy, double RobustAccuracy, TimeSpan TrainingTime);
