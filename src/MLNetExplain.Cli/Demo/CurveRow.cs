namespace MLNetExplain.Cli.Demo;

/// <summary>A map's mean deletion curve over the test images and the area under it.</summary>
internal sealed record CurveRow(string Method, double[] Curve, double Area);
