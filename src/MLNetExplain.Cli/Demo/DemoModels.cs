using Microsoft.ML;
using MLNetExplain.ML.Trainers;

namespace MLNetExplain.Cli.Demo;

/// <summary>What the demo trained, for checks after a run: the context, f with its explainer, f' and the test rows.</summary>
internal sealed record DemoModels(MLContext MLContext, ExplainedImageClassificationTransformer Explained, ImageClassificationTransformer Robust, IDataView Test);
