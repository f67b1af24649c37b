using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Feature ablation, Captum's <c>FeatureAblation</c>: each group of elements in a feature mask is replaced by the
/// baseline in turn, and every element of the group is attributed F(x) - F(x with the group ablated), for each
/// example's target logit F.
/// </summary>
/// <remarks>
/// <para>
/// Captum's conventions: baselines default to 0, the default mask makes every scalar its own feature (one forward
/// pass per element; <see cref="FeatureAblationOptions.SuperpixelSize"/> groups image pixels instead), and
/// <see cref="FeatureAblationOptions.PerturbationsPerEval"/> ablated copies of the batch share one forward pass.
/// Group ids that occur nowhere in the mask are skipped (Captum evaluates them and adds nothing).
/// </para>
/// <para>
/// Differences are added in a fixed order, so the result depends neither on
/// <see cref="FeatureAblationOptions.PerturbationsPerEval"/> nor, with a mask shared by the batch, on which other
/// images share the batch. No gradients are taken; the model runs in eval mode (restored after).
/// </para>
/// </remarks>
public sealed class FeatureAblation : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public FeatureAblation(nn.Module<Tensor, Tensor> model, FeatureAblationOptions? options = null)
        : base(model)
    {
        Options = options ?? new FeatureAblationOptions();
        Options.Validate();
    }

    /// <inheritdoc />
    public override string Name => "FeatureAblation";

    /// <summary>The settings.</summary>
    public FeatureAblationOptions Options { get; }

    /// <summary>Attributions of <paramref name="inputs"/> for the groups of <paramref name="featureMask"/>.</summary>
    /// <param name="inputs">A batch [N, ...] (images [N, C, H, W]), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="featureMask">Integer group ids shaped like one example or the batch (see <see cref="FeatureMasks"/>);
    /// null takes the options' default mask.</param>
    /// <param name="baselines">What an ablated element becomes, broadcastable to the inputs; null takes
    /// <see cref="FeatureAblationOptions.BaselineValue"/>.</param>
    /// <returns>Attributions shaped like the inputs; the caller owns them.</returns>
    /// <exception cref="ArgumentException">The inputs, targets, mask or baselines do not fit (the message names which).</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? featureMask, Tensor? baselines = null) =>
        Run(inputs, targets, (x, t) => Explain(x, t, featureMask, baselines));

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Explain(inputs, targets, null, null);

    private Tensor Explain(Tensor inputs, Tensor targets, Tensor? featureMask, Tensor? baselines)
    {
        var (mask, _) = FeatureMasks.Resolve(featureMask, inputs, Options.SuperpixelSize, nameof(FeatureAblationOptions.SuperpixelSize));
        var reference = Baselines.Resolve(baselines, inputs, Options.BaselineValue);
        long[] ids = [.. mask.contiguous().cpu().data<long>().Distinct().Order()];
        var idTensor = tensor(ids, device: inputs.device);
        long[] idShape = [-1, .. Enumerable.Repeat(1L, (int)mask.dim())];
        return Sweep(inputs, targets, reference, ids.Length,
            (start, count) => mask.unsqueeze(0) == idTensor.narrow(0, start, count).view(idShape),
            Options.PerturbationsPerEval, (x, t) => Scores(x, t, int.MaxValue), average: false);
    }

    /// <summary>
    /// The ablation sweep shared with <see cref="Occlusion"/> (Captum builds occlusion on feature ablation): for each
    /// of <paramref name="perturbations"/> boolean masks, elements under the mask take the baseline, and
    /// F(x) - F(ablated) is added to them; with <paramref name="average"/> each element's sum is divided by the
    /// number of masks covering it.
    /// </summary>
    /// <param name="inputs">The batch [N, ...].</param>
    /// <param name="targets">Int64 [N].</param>
    /// <param name="baselines">Baselines expanded to the inputs.</param>
    /// <param name="perturbations">How many masks.</param>
    /// <param name="masks">Masks start..start+count-1 as Bool [count, 1 or N, ...].</param>
    /// <param name="perEval">Masks per forward pass.</param>
    /// <param name="scores">Target logits of a batch, without gradients.</param>
    /// <param name="average">Divide by the coverage count (occlusion) instead of summing (disjoint groups).</param>
    internal static Tensor Sweep(Tensor inputs, Tensor targets, Tensor baselines, long perturbations,
        Func<long, long, Tensor> masks, int perEval, Func<Tensor, Tensor, Tensor> scores, bool average)
    {
        long n = inputs.shape[0];
        long[] perExample = [n, .. Enumerable.Repeat(1L, (int)inputs.dim() - 1)];
        var clean = scores(inputs, targets);
        var total = zeros_like(inputs);
        var count = average ? zeros_like(inputs) : null;
        for (long start = 0; start < perturbations; start += perEval)
        {
            using var chunkScope = NewDisposeScope();
            long k = Math.Min(perEval, perturbations - start);
            var m = masks(start, k);
            var ablated = where(m, baselines.unsqueeze(0), inputs.unsqueeze(0));
            var perturbedScores = scores(ablated.flatten(0, 1), targets.repeat(k)).view(k, n);
            var differences = clean.unsqueeze(0) - perturbedScores;
            var weights = m.to_type(inputs.dtype);
            for (long j = 0; j < k; j++)
            {
                // One mask at a time, in mask order, so the rounding does not depend on perEval.
                total.add_(differences[j].view(perExample) * weights[j]);
                count?.add_(weights[j]);
            }
        }

        return count is null ? total : total.div_(count);
    }
}
