using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the KernelShap stage, written to "KernelShap" by default.</summary>
public record KernelShapAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public KernelShapAttributionOptions()
    {
        OutputColumnName = "KernelShap";
    }

    /// <summary>
    /// The method's settings (samples, superpixel size, baseline value, seed). Every batch draws its coalitions from
    /// <see cref="KernelShapOptions.Seed"/>, shared by the images of the batch, so an image's map depends neither on
    /// <see cref="AttributionOptions.BatchSize"/> nor on the row order: a batched pass and PredictionEngine agree.
    /// </summary>
    public KernelShapOptions KernelShap { get; init; } = new();
}
