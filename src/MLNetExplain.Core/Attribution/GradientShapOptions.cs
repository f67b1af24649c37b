namespace MLNetExplain.Attribution;

/// <summary>Options of <see cref="GradientShap"/>. Defaults follow Captum's <c>GradientShap.attribute</c>: 5 samples, no input noise.</summary>
public sealed record GradientShapOptions
{
    /// <summary>Samples per input (Captum's <c>n_samples</c>, default 5).</summary>
    public int Samples { get; init; } = 5;

    /// <summary>Standard deviation of the Gaussian noise added to the inputs, in input units (Captum's <c>stdevs</c>, default 0).</summary>
    public double StdDev { get; init; }

    /// <summary>
    /// Multiply the gradient by (x~ - b) (Captum's <c>multiply_by_inputs=True</c>); false returns the mean gradient at
    /// the random path points alone.
    /// </summary>
    public bool MultiplyByInputs { get; init; } = true;

    /// <summary>The most images (examples x samples) in one forward pass; bounds memory. Results do not depend on it.</summary>
    public int MaxImagesPerForward { get; init; } = 256;

    /// <summary>Seed of the generator the method creates for <see cref="AttributionMethod.Attribute"/> and the baseline overloads.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 1 || MaxImagesPerForward < 1)
        {
            throw new ArgumentException($"GradientShap needs Samples and MaxImagesPerForward >= 1; got {Samples} and {MaxImagesPerForward}.", "options");
        }

        if (!(StdDev >= 0) || double.IsInfinity(StdDev))
        {
            throw new ArgumentException($"GradientShap's StdDev must be finite and non-negative; got {StdDev}.", "options");
        }
    }
}
