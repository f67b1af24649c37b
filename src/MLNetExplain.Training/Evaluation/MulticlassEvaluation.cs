using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Evaluation;
using MLNetExplain.Training.Trainers;

namespace MLNetExplain.Training;

/// <summary>Evaluation extension methods on the multiclass catalog.</summary>
public static class MulticlassEvaluation
{
    /// <summary>
    /// Accuracy (micro and macro), log-loss and the confusion matrix (rows: truth, columns: prediction) of a scored
    /// view, e.g. the output of an image classifier's Transform.
    /// </summary>
    public static MulticlassMetrics Evaluate(this MulticlassClassificationCatalog catalog, IDataView data, string labelColumnName = "Label",
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = SchemaShape.Create(data.Schema);
        var label = shape.Require(labelColumnName, "a key label", c => c.Kind == SchemaShape.VectorKind.Scalar && c.IsKey, "Evaluate");
        var classes = (int)((KeyDataViewType)label.ItemType).Count;
        shape.Require(predictedLabelColumnName, $"a key with {classes} classes", c => c.IsKey && c.ItemType.Equals(label.ItemType), "Evaluate");
        shape.Require(scoreColumnName, $"a Single vector of {classes} probabilities",
            c => c.Kind == SchemaShape.VectorKind.Vector && c.ItemType == NumberDataViewType.Single && c.Size == classes, "Evaluate");

        var columns = new[] { data.Schema[labelColumnName], data.Schema[predictedLabelColumnName], data.Schema[scoreColumnName] };
        using var cursor = data.GetRowCursor(columns);
        var getLabel = cursor.GetGetter<uint>(columns[0]);
        var getPredicted = cursor.GetGetter<uint>(columns[1]);
        var getScore = cursor.GetGetter<VBuffer<float>>(columns[2]);
        var truth = new List<int>();
        var predicted = new List<int>();
        var probability = new List<double>();
        uint l = 0, p = 0;
        var score = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            catalog.Context.CancellationToken.ThrowIfCancellationRequested();
            getLabel(ref l);
            if (l == 0)
            {
                continue;
            }

            getPredicted(ref p);
            getScore(ref score);
            truth.Add((int)l - 1);
            predicted.Add((int)p - 1);
            probability.Add(score.GetValues()[(int)l - 1]);
        }

        return MulticlassMetrics.From(truth, predicted, probability, classes);
    }

    /// <summary>
    /// Accuracy of a fitted classifier under a PGD attack on every image of <paramref name="data"/> (robust
    /// accuracy). With epsilon 0 it equals clean accuracy. The attack is seeded, so results repeat.
    /// </summary>
    public static double EvaluateRobustness(this MulticlassClassificationCatalog catalog, ImageClassificationTransformer model,
        IDataView data, PgdAttackOptions attack, string labelColumnName = "Label", int batchSize = 128, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var pgd = new PgdAttack(attack);
        using var generator = new Generator((ulong)(seed ?? catalog.Context.NextSeed()));
        long correct = 0, seen = 0;
        using var batches = new TensorBatchCursor(data, model.FeatureColumnName, batchSize, labelColumnName, device: model.Device);
        while (batches.MoveNext())
        {
            catalog.Context.CancellationToken.ThrowIfCancellationRequested();
            using var scope = Torch.Torch.NewDisposeScope();
            var adversarial = pgd.Perturb(model.Model, batches.Features, batches.Labels!, generator);
            var (_, predicted) = model.Predict(adversarial);
            correct += (long)predicted.Eq(batches.Labels!).Sum().ToDouble();
            seen += batches.Count;
        }

        return seen == 0 ? 0 : (double)correct / seen;
    }
}
