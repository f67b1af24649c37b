using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Lime stage, written to "Lime" by default.</summary>
public record LimeAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public LimeAttributionOptions()
    {
        OutputColumnName = "Lime";
    }

    /// <summary>
    /// The method's settings (samples, superpixel size, Lasso penalty, kernel width, seed). Every batch draws its
    /// samples from <see cref="LimeOptions.Seed"/>, shared by the images of the batch, so an image's map depends
    /// neither on <see cref="AttributionOptions.BatchSize"/> nor on the row order: a batched pass and PredictionEngine
    /// agree.
    /// </summary>
    public LimeOptions Lime { get; init; } = new();
}
