using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>
/// Seed 001's objective (Eq. 5) on one batch: CE(f(x), y) + lambda * d(E(h), g), with its parts. In post-hoc
/// mode f is frozen (its features and logits are computed without gradients) and the total is lambda * d alone.
/// </summary>
/// <param name="Total">The loss to minimise (scalar).</param>
/// <param name="CrossEntropy">Mean cross-entropy of the logits (scalar).</param>
/// <param name="Distance">The alignment distance d (scalar).</param>
/// <param name="Logits">The classifier's logits [N, K].</param>
public sealed record ExplainerAlignmentLoss(Tensor Total, Tensor CrossEntropy, Tensor Distance, Tensor Logits)
{
    /// <summary>Computes the loss of <paramref name="model"/> on one batch; the tensors belong to the caller's dispose scope.</summary>
    /// <param name="model">The classifier and head.</param>
    /// <param name="images">Images [N, C, H, W].</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="targets">Robust attributions [N, OutputChannels, H, W], already normalised as wanted.</param>
    /// <param name="lambda">Weight of the distance (0.35 in seed 001).</param>
    /// <param name="distance">The distance.</param>
    /// <param name="postHoc">Freeze the classifier: only the head receives gradients.</param>
    /// <exception cref="ArgumentException">Labels or targets do not fit the images and the head.</exception>
    public static ExplainerAlignmentLoss Compute(ExplainedClassifier model, Tensor images, Tensor labels, Tensor targets,
        double lambda, AlignmentDistance distance, bool postHoc = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targets);
        AttributionInputs.Check(images, labels);
        ModuleProtection.Protect(model);
        long[] mapShape = [images.shape[0], model.Explainer.OutputChannels, images.shape[2], images.shape[3]];
        if (!targets.shape.SequenceEqual(mapShape))
        {
            throw new ArgumentException($"targets must be robust attributions [{string.Join(", ", mapShape)}] (the head's map shape); got [{string.Join(", ", targets.shape)}].", nameof(targets));
        }

        Tensor logits, maps;
        if (postHoc)
        {
            Tensor features;
            using (no_grad())
            {
                features = model.Classifier.Features(images);
                logits = model.Classifier.Classify(features);
            }

            maps = model.Explainer.call(features);
        }
        else
        {
            (logits, maps) = model.ForwardBoth(images);
        }

        AttributionInputs.CheckOutput(logits, labels, images.shape[0]);
        var crossEntropy = nn.functional.cross_entropy(logits, labels.to_type(ScalarType.Int64));
        var d = DistanceBetween(maps, targets, distance);
        var total = postHoc ? d * lambda : crossEntropy + d * lambda;
        return new ExplainerAlignmentLoss(total, crossEntropy, d, logits);
    }

    /// <summary>The alignment distance between maps and targets [N, C, H, W], averaged over the batch.</summary>
    public static Tensor DistanceBetween(Tensor maps, Tensor targets, AlignmentDistance distance)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(targets);
        if (!maps.shape.SequenceEqual(targets.shape))
        {
            throw new ArgumentException($"targets must have the maps' shape [{string.Join(", ", maps.shape)}]; got [{string.Join(", ", targets.shape)}].", nameof(targets));
        }

        using var scope = NewDisposeScope();
        var squares = (maps - targets).square().flatten(1).sum(1);
        var result = distance switch
        {
            // The epsilon keeps the square root differentiable when a map matches its target exactly.
            AlignmentDistance.L2 => (squares + 1e-12).sqrt().mean(),
            AlignmentDistance.SquaredL2 => squares.mean(),
            AlignmentDistance.MeanSquared => nn.functional.mse_loss(maps, targets),
            _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, "Unknown distance."),
        };
        return result.MoveToOuterDisposeScope();
    }
}
