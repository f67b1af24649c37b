// An ML.NET user's pipeline with MLNetExplain from its NuGet packages: load Fashion-MNIST, train a small image
// classifier, evaluate it with ML.NET's evaluator, and append a saliency heatmap column to the scored rows.
using Microsoft.ML;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Stages;
using MLNetExplain.ML.Trainers;
using MLNetExplain.Models;
using MLNetExplain.Training;

var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Train), 4000);
var test = mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Test), 500);

using var classifier = mlContext.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
{
    Model = ClassifierSpec.SmallCnn(numClasses: 10, inputChannels: 1, width: 8).WithNormalization([0.286f], [0.353f]),
    Epochs = 3, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 1,
}).Fit(train);

var scored = classifier.Transform(test);
var metrics = mlContext.MulticlassClassification.Evaluate(scored);
Console.WriteLine($"Accuracy on {test.GetRowCount() ?? 500} test images: {metrics.MicroAccuracy:P1}");

var explained = mlContext.Transforms.Saliency(classifier.Model, outputColumnName: "Saliency")
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"))
    .Fit(scored)
    .Transform(scored);
var first = explained.Preview(maxRows: 3).RowView;
foreach (var row in first)
{
    var predicted = row.Values.First(v => v.Key == "PredictedClass").Value;
    var map = (Microsoft.ML.Data.VBuffer<float>)row.Values.First(v => v.Key == "Saliency").Value;
    Console.WriteLine($"predicted {predicted}: saliency map of {map.Length} values, max {map.DenseValues().Max():G3}");
}

// A classifier this small reaches about 80% here; below 60% something is broken.
return metrics.MicroAccuracy >= 0.6 ? 0 : 1;
