using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution;

public class AttributionPostprocessingTests
{
    private static double[] Values(Tensor t) => t.data<double>().ToArray();

    [Fact]
    public void ReducesChannelsTakesAbsoluteValuesAndNormalises()
    {
        using var scope = NewDisposeScope();
        // Two channels of a 2x2 map: [1, -2, 3, 4] and [-5, 6, 7, -8].
        var a = tensor(new double[] { 1, -2, 3, 4, -5, 6, 7, -8 }).view(1, 2, 2, 2);
        Assert.Equal(new double[] { -4, 4, 10, -4 }, Values(AttributionPostprocessing.Apply(a, ChannelReduction.Sum, AttributionNormalization.None)));
        Assert.Equal(new double[] { -2, 2, 5, -2 }, Values(AttributionPostprocessing.Apply(a, ChannelReduction.Mean, AttributionNormalization.None)));
        Assert.Equal(new double[] { 5, 6, 7, 8 }, Values(AttributionPostprocessing.Apply(a, ChannelReduction.MaxAbs, AttributionNormalization.None)));
        Assert.Equal(new double[] { 6, 8, 10, 12 }, Values(AttributionPostprocessing.Apply(a, ChannelReduction.Sum, AttributionNormalization.None, absolute: true)));
        var maxAbs = Values(AttributionPostprocessing.Apply(a, ChannelReduction.Sum, AttributionNormalization.MaxAbs));
        Assert.Equal(new double[] { -0.4, 0.4, 1, -0.4 }, maxAbs.Select(v => Math.Round(v, 12)));
        Assert.Equal(1, AttributionPostprocessing.Apply(a, ChannelReduction.None, AttributionNormalization.SumAbs).abs().sum().item<double>(), 12);
        Assert.Equal(new[] { 1, 5, 6 }, AttributionPostprocessing.OutputShape([3, 5, 6], ChannelReduction.Mean));
        Assert.Equal(new[] { 3, 5, 6 }, AttributionPostprocessing.OutputShape([3, 5, 6], ChannelReduction.None));
    }

    [Fact]
    public void NormalisesEachExampleOnItsOwnAndKeepsZeroMapsZero()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 1, 2, 0, 0, -10, 5, 0, 0 }).view(3 - 1, 1, 2, 2);
        var b = cat([a, zeros(1, 1, 2, 2, ScalarType.Float64)], 0);
        Assert.Equal(new double[] { 0.5, 1, 0, 0, -1, 0.5, 0, 0, 0, 0, 0, 0 }, Values(AttributionPostprocessing.Apply(b, ChannelReduction.None, AttributionNormalization.MaxAbs)));
        Assert.Throws<ArgumentException>(() => AttributionPostprocessing.Apply(zeros(2, 3), ChannelReduction.Sum, AttributionNormalization.None));
    }
}
