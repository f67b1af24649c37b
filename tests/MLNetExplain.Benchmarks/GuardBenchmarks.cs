using MLNetExplain.Engine;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (e) What the conv-gradient guard costs: forward + input gradient (of the labelled logits) at the batch size on
/// a compact ResNet with widths 10/20/40 (no width a multiple of 16, so every convolution is padded when the guard
/// is on), with <see cref="ConvolutionGuard.Override"/> forced off and on, against Python's plain computation. Also
/// reports whether this machine's engine is affected and each variant's largest gradient error against float64.
/// 2x the iterations.
/// </summary>
internal sealed class GuardBenchmarks : Section
{
    private const int BaseWidth = 10;

    public override string Name => "guard";

    public override string Title(Settings settings) =>
        $"conv-gradient guard cost, compact ResNet {BaseWidth}/{2 * BaseWidth}/{4 * BaseWidth}, forward + input gradient, batch {settings.Batch}";

    public override IReadOnlyList<Row> Rows(Settings settings) =>
    [
        new("guard off (ConvolutionGuard.Override = false: plain conv2d)", "guard/off", "guard/plain", Row.Ms(settings.Batch)),
        new("guard on (Override = true: weights padded to 16 output channels)", "guard/on", "guard/plain", Row.Ms(settings.Batch)),
    ];

    public override IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer)
    {
        var saved = ConvolutionGuard.Override;
        ConvolutionGuard.Override = null;
        var affected = ConvolutionGuard.EngineAffected;
        ConvolutionGuard.Override = saved;
        yield return $"guard on / guard off = {Report.Ratio(ours.Median("guard/on"), ours.Median("guard/off"))}; " +
                     $"this machine's engine is {(affected ? "" : "not ")}affected (ConvolutionGuard.EngineAffected), " +
                     "so by default the guard is " + (affected ? "on" : "off") + " here.";
        var (off, on) = GradientErrors(settings.Batch);
        yield return $"largest input-gradient error against float64, relative to the largest gradient (same weights and inputs): guard off {off:G3}, guard on {on:G3}.";
    }

    public override void MeasureOurs(Settings settings, Samples into)
    {
        random.manual_seed(0);
        using var model = new ResNet(10, 3, BaseWidth, [1, 1, 1]);
        model.eval();
        var (x, y) = ModelSteps.Inputs(settings.Batch);
        using (x)
        using (y)
        {
            var saved = ConvolutionGuard.Override;
            try
            {
                foreach (var on in new[] { false, true })
                {
                    ConvolutionGuard.Override = on;
                    for (var k = 0; k < settings.Warmup; k++)
                    {
                        InputGradient(model, x, y).Dispose();
                    }

                    for (var k = 0; k < 2 * settings.Iterations; k++)
                    {
                        into.Add(on ? "guard/on" : "guard/off", Report.TimeMs(() => InputGradient(model, x, y).Dispose()));
                    }
                }
            }
            finally
            {
                ConvolutionGuard.Override = saved;
            }
        }
    }

    private static Tensor InputGradient(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var xi = x.detach().requires_grad_(true);
        var logits = model.call(xi);
        return Gradients.Of(logits.gather(1, y.unsqueeze(1)).sum(), xi).MoveToOuterDisposeScope();
    }

    private static (double Off, double On) GradientErrors(int batch)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(0);
        using var model = new ResNet(10, 3, BaseWidth, [1, 1, 1]);
        model.eval();
        var (x, y) = ModelSteps.Inputs(batch);
        var saved = ConvolutionGuard.Override;
        try
        {
            ConvolutionGuard.Override = false;
            var off = InputGradient(model, x, y).to_type(ScalarType.Float64);
            ConvolutionGuard.Override = true;
            var on = InputGradient(model, x, y).to_type(ScalarType.Float64);
            model.to(ScalarType.Float64);
            var reference = InputGradient(model, x.to_type(ScalarType.Float64), y);
            var scale = reference.abs().max().item<double>();
            return ((off - reference).abs().max().item<double>() / scale, (on - reference).abs().max().item<double>() / scale);
        }
        finally
        {
            ConvolutionGuard.Override = saved;
        }
    }
}
