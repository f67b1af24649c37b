using MLNetExplain.Attribution;

namespace MLNetExplain.Tests.Attribution.Gradients;

public class IntegrationRuleTests
{
    [Fact]
    public void GaussLegendreMatchesTheKnownTwoAndThreePointRules()
    {
        // On [-1, 1]: n = 2 has nodes +-1/sqrt(3), weights 1; n = 3 has 0, +-sqrt(3/5), weights 8/9, 5/9. Mapped to [0, 1]: (1 + xi) / 2, w / 2.
        var (a2, w2) = IntegrationRules.Points(IntegrationRule.GaussLegendre, 2);
        Assert.Equal(0.5 * (1 - 1 / Math.Sqrt(3)), a2[0], 15);
        Assert.Equal(0.5 * (1 + 1 / Math.Sqrt(3)), a2[1], 15);
        Assert.Equal([0.5, 0.5], w2, (x, y) => Math.Abs(x - y) < 1e-15);

        var (a3, w3) = IntegrationRules.Points(IntegrationRule.GaussLegendre, 3);
        Assert.Equal([0.5 * (1 - Math.Sqrt(0.6)), 0.5, 0.5 * (1 + Math.Sqrt(0.6))], a3, (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal([5.0 / 18, 4.0 / 9, 5.0 / 18], w3, (x, y) => Math.Abs(x - y) < 1e-15);

        var (a1, w1) = IntegrationRules.Points(IntegrationRule.GaussLegendre, 1);
        Assert.Equal([0.5], a1);
        Assert.Equal([1.0], w1);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(17)]
    [InlineData(50)]
    [InlineData(500)]
    public void GaussLegendreWeightsSumToOneNodesIncreaseInsideTheIntervalAndPolynomialsIntegrateExactly(int n)
    {
        var (alphas, weights) = IntegrationRules.Points(IntegrationRule.GaussLegendre, n);
        Assert.Equal(1.0, weights.Sum(), 12);
        Assert.All(weights, w => Assert.True(w > 0));
        Assert.True(alphas[0] > 0 && alphas[^1] < 1);
        Assert.All(Enumerable.Range(1, n - 1), k => Assert.True(alphas[k] > alphas[k - 1]));
        Assert.All(Enumerable.Range(0, n), k => Assert.Equal(alphas[k], 1 - alphas[n - 1 - k], 13));

        // Exact for degree 2n - 1 (checked up to degree 39, where double precision still resolves 1 / (d + 1)).
        foreach (int degree in new[] { 1, 2, Math.Min(2 * n - 1, 39) })
        {
            double integral = alphas.Zip(weights, (a, w) => w * Math.Pow(a, degree)).Sum();
            Assert.Equal(1.0 / (degree + 1), integral, 12);
        }

        // ... and not for degree 2n: the rule has exactly the precision Legendre's theorem gives (small n only).
        if (n == 4)
        {
            double integral = alphas.Zip(weights, (a, w) => w * Math.Pow(a, 8)).Sum();
            Assert.True(Math.Abs(integral - 1.0 / 9) > 1e-6);
        }
    }

    [Fact]
    public void RiemannRulesPlaceCaptumsPoints()
    {
        var (left, wl) = IntegrationRules.Points(IntegrationRule.RiemannLeft, 4);
        Assert.Equal([0, 0.25, 0.5, 0.75], left);
        Assert.Equal([0.25, 0.25, 0.25, 0.25], wl);
        Assert.Equal([0.25, 0.5, 0.75, 1], IntegrationRules.Points(IntegrationRule.RiemannRight, 4).Alphas);
        Assert.Equal([0.125, 0.375, 0.625, 0.875], IntegrationRules.Points(IntegrationRule.RiemannMiddle, 4).Alphas);

        // The trapezoid rule proper: spacing 1/(n - 1), halved end weights summing to 1 (Captum's 1/n ones sum to 1 - 1/n).
        var (trapezoid, wt) = IntegrationRules.Points(IntegrationRule.RiemannTrapezoid, 4);
        Assert.Equal([0, 1.0 / 3, 2.0 / 3, 1], trapezoid, (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal([1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6], wt, (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal(1.0, wt.Sum(), 15);
    }

    [Fact]
    public void TooFewStepsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IntegrationRules.Points(IntegrationRule.GaussLegendre, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IntegrationRules.Points(IntegrationRule.RiemannTrapezoid, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IntegrationRules.Points((IntegrationRule)17, 5));
    }
}
