using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Creates an <see cref="AttributionTransformer"/> for a trained classifier; there is nothing to learn. Its schema
/// check runs when an <c>EstimatorChain</c> is fitted, before any stage trains. Created by
/// <see cref="AttributionCatalog"/>.
/// </summary>
public sealed class AttributionEstimator : IEstimator<AttributionTransformer>
{
    private readonly AttributionTransformer _transformer;

    internal AttributionEstimator(nn.Module<Tensor, Tensor> model, AttributionMethodRecipe? recipe, IAttributionMethod? method, AttributionOptions options)
    {
        _transformer = new AttributionTransformer(model, recipe, method, options, ownsModel: false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The image column is not a known-size Single vector, or the target column not a key.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _transformer.Map.OutputShape(inputSchema);

    /// <summary>Checks the data's schema (image dimensions included) and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or shape.</exception>
    public AttributionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }
}
