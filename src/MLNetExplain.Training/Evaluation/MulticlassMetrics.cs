namespace MLNetExplain.Training.Evaluation;

/// <summary>Multiclass metrics (ML.NET's MulticlassClassificationMetrics).</summary>
public sealed record MulticlassMetrics(double MicroAccuracy, double MacroAccuracy, double LogLoss, long[,] ConfusionMatrix)
{
    /// <summary>Rows counted.</summary>
    public long Count { get; init; }

    /// <summary>Computes metrics from true and predicted class indices and the probability of the true class.</summary>
    public static MulticlassMetrics From(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<double>? trueClassProbability, int classes)
    {
        var confusion = new long[classes, classes];
        for (var i = 0; i < truth.Count; i++)
        {
            confusion[truth[i], predicted[i]]++;
        }

        var correct = Enumerable.Range(0, classes).Sum(c => confusion[c, c]);
        var perClass = Enumerable.Range(0, classes)
            .Select(c => (Total: Enumerable.Range(0, classes).Sum(p => confusion[c, p]), Hit: confusion[c, c]))
            .Where(t => t.Total > 0).Select(t => (double)t.Hit / t.Total).ToList();
        // Log-loss clips probabilities at 1e-15 as ML.NET does.
        var logLoss = trueClassProbability is null || truth.Count == 0 ? double.NaN
            : trueClassProbability.Average(p => -Math.Log(Math.Max(p, 1e-15)));
        return new MulticlassMetrics(truth.Count == 0 ? 0 : (double)correct / truth.Count, perClass.Count == 0 ? 0 : perClass.Average(),
            logLoss, confusion) { Count = truth.Count };
    }
}
