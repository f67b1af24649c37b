// Trains an adversarially robust counterpart f' (PGD-L2, seed 001's first stage) on Fashion-MNIST, reports its
// clean and robust accuracy, and saves the fitted pipeline (pixels -> classifier) as one model file.
//   dotnet run -c Release --project examples/RobustCounterpart -- [output.zip] [trainRows] [epochs]
using System.Globalization;
using MLNetExplain.Data;
using MLNetExplain.Training;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Models;

var output = args.Length > 0 ? args[0] : "robust-counterpart.zip";
var trainRows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10000;
var epochs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

var context = new ExplainContext(seed: 1);
context.Log += (_, e) => Console.WriteLine($"{e.Source}: {e.Message}");
var trainRaw = context.Data.Cache(context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Train), trainRows));
var testRaw = context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Test), 1000);

// Pixels stay in [0, 1]; normalisation is part of the model, so the attack's epsilon is in pixel units.
var pipeline = context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f)
    .Append(context.MulticlassClassification.Trainers.AdversarialImageClassification(new AdversarialImageClassificationTrainer.Options
    {
        Model = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.2860f], [0.3530f]),
        Epochs = epochs,
        Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 7 },
    }));
var model = pipeline.Fit(trainRaw);

var scored = model.Transform(testRaw);
var clean = context.MulticlassClassification.Evaluate(scored).MicroAccuracy;
var test = model[0].Transform(testRaw);
var robust = context.MulticlassClassification.EvaluateRobustness(model.LastTransformer, test,
    new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 20 });
Console.WriteLine($"f': clean accuracy {clean:P1}, PGD-20 L2 eps 1.5 accuracy {robust:P1}");

context.Model.Save(model, trainRaw.Schema, output);
Console.WriteLine($"Saved the robust counterpart pipeline to {Path.GetFullPath(output)}");
model.Dispose();
