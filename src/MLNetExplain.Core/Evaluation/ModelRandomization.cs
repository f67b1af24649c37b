using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// The model parameter randomisation test, MPRT (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"), with
/// Quantus's defaults: the layers that have parameters to re-initialise (convolutions, linear and batch-norm
/// layers) are re-initialised one after the other from the output down, and after each one the explanation of
/// the same images and targets is compared with the original by Spearman rank correlation and SSIM. An
/// explanation that depends on the model should lose its similarity as layers are randomised.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp has no <c>deepcopy</c>, so the model itself is randomised in place and its exact state (parameters
/// and buffers) is restored afterwards, also when the call fails; so the method under test can be the one already
/// built over the model. Do not use the model from another thread during the call.
/// </para>
/// <para>
/// Re-initialisation follows PyTorch's <c>reset_parameters</c>: convolution and linear weights and biases
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)); batch norm weight 1, bias 0, running mean 0, variance 1. Layers are found in
/// module registration order (<c>named_modules</c>), which for MLNetExplain's models is forward order.
/// </para>
/// </remarks>
public static class ModelRandomization
{
    /// <summary>Runs MPRT.</summary>
    /// <param name="model">The trained classifier; randomised during the call and restored after.</param>
    /// <param name="method">The explanation under test, built over <paramref name="model"/>.</param>
    /// <param name="images">Images [N, C, H, W] on the model's device.</param>
    /// <param name="targets">The explained class per image, integral [N] (Quantus explains the labels).</param>
    /// <param name="options">Settings; null takes the defaults.</param>
    /// <param name="cancellationToken">Checked before each layer.</param>
    /// <exception cref="ArgumentException">Bad shapes, or a model without layers to randomise.</exception>
    public static ModelRandomizationResult Compute(nn.Module<Tensor, Tensor> model, IAttributionMethod method, Tensor images, Tensor targets,
        ModelRandomizationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(method);
        var o = options ?? new ModelRandomizationOptions();
        o.Validate();
        AttributionInputs.Check(images, targets);
        var layers = Layers(model);
        if (layers.Count == 0)
        {
            throw new ArgumentException("The model has no convolution, linear or batch-norm layers to randomise.", nameof(model));
        }

        if (o.Order == LayerOrder.TopDown)
        {
            layers.Reverse();
        }

        using var scope = NewDisposeScope();
        var saved = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        try
        {
            var original = Prepare(Explain(method, images, targets, o), o);
            var results = new List<ModelRandomizationLayer>();
            foreach (var (name, layer) in layers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                if (o.Order == LayerOrder.Independent)
                {
                    Restore(model, saved);
                }

                using (var generator = new Generator(unchecked((ulong)(o.Seed + 1))))
                {
                    Reinitialize(layer, generator);
                }

                var randomized = Prepare(Explain(method, images, targets, o), o);
                results.Add(Compare(name, original, randomized, o));
            }

            return new ModelRandomizationResult(results);
        }
        finally
        {
            Restore(model, saved);
        }
    }

    /// <summary>The layers MPRT re-initialises, in registration order, with their module names.</summary>
    public static List<(string Name, nn.Module Layer)> Layers(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.named_modules().Where(m => m.module is GuardedConv2d or Convolution or Linear or NormBase)];
    }

    private static void Reinitialize(nn.Module layer, Generator generator)
    {
        using var noGrad = no_grad();
        switch (layer)
        {
            case GuardedConv2d conv:
                Uniform(conv.Weight, conv.Bias, generator);
                break;
            case Convolution conv:
                Uniform(conv.weight!, conv.bias, generator);
                break;
            case Linear linear:
                Uniform(linear.weight!, linear.bias, generator);
                break;
            case NormBase norm:
                norm.weight?.fill_(1);
                norm.bias?.zero_();
                norm.running_mean?.zero_();
                norm.running_var?.fill_(1);
                norm.num_batches_tracked?.zero_();
                break;
        }
    }

    // kaiming_uniform_(a = sqrt(5)) has bound 1 / sqrt(fan_in), PyTorch's bias bound too.
    private static void Uniform(Tensor weight, Tensor? bias, Generator generator)
    {
        double bound = 1 / Math.Sqrt(weight.numel() / weight.shape[0]);
        foreach (var p in bias is null ? [weight] : new[] { weight, bias })
        {
            using var u = rand(p.shape, ScalarType.Float32, generator: generator);
            p.copy_(u.to_type(p.dtype).to(p.device).mul_(2 * bound).sub_(bound));
        }
    }

    private static void Restore(nn.Module model, Dictionary<string, Tensor> saved)
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in model.state_dict())
        {
            value.copy_(saved[name]);
        }
    }

    private static Tensor Explain(IAttributionMethod method, Tensor images, Tensor targets, ModelRandomizationOptions o)
    {
        var parts = new List<Tensor>();
        for (long first = 0; first < images.shape[0]; first += o.MaxImagesPerCall)
        {
            long count = Math.Min(o.MaxImagesPerCall, images.shape[0] - first);
            parts.Add(method.Attribute(images.narrow(0, first, count), targets.narrow(0, first, count)).to_type(ScalarType.Float64).cpu());
        }

        var maps = cat(parts, 0);
        if (maps.shape[0] != images.shape[0] || maps.dim() != 4)
        {
            throw new ArgumentException($"The method must return maps [N, C', H, W] with N = {images.shape[0]}; it returned [{AttributionInputs.Shape(maps)}].", nameof(method));
        }

        return maps;
    }

    private static Tensor Prepare(Tensor maps, ModelRandomizationOptions o)
    {
        if (o.Absolute)
        {
            maps = maps.abs();
        }

        if (o.Normalize)
        {
            // Quantus's normalise_by_max: divide by max |a| per map; an all-zero map stays zero.
            var max = maps.abs().flatten(1).max(1).values.view(-1, 1, 1, 1);
            maps = maps / where(max > 0, max, ones_like(max));
        }

        return maps;
    }

    private static ModelRandomizationLayer Compare(string name, Tensor original, Tensor randomized, ModelRandomizationOptions o)
    {
        long n = original.shape[0];
        var spearman = new double[n];
        var ssim = new double[n];
        for (long i = 0; i < n; i++)
        {
            var a = original[i];
            var b = randomized[i];
            spearman[i] = MapSimilarity.Spearman(a.flatten().data<double>().ToArray(), b.flatten().data<double>().ToArray());
            ssim[i] = MapSimilarity.Ssim(a, b, o.SsimWindowSize);
        }

        var defined = spearman.Where(v => !double.IsNaN(v)).ToArray();
        return new ModelRandomizationLayer(name, spearman, ssim, defined.Length == 0 ? double.NaN : defined.Average(), ssim.Average());
    }
}
