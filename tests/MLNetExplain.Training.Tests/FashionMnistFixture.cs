using MLNetExplain.Data;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Tests;

/// <summary>Shares one <see cref="FashionMnistFixture"/> across the training test classes (they then run one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class FashionMnistCollection : ICollectionFixture<FashionMnistFixture>
{
    public const string Name = "Fashion-MNIST";
}

/// <summary>CI-sized Fashion-MNIST subsets with Features in [0, 1], and one small model trained once.</summary>
public sealed class FashionMnistFixture : IDisposable
{
    public FashionMnistFixture()
    {
        Context = new ExplainContext(seed: 7);
        var pixels = Context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f);
        var train = Context.Data.Cache(Context.Data.TakeRows(Context.Data.LoadFashionMnist(DatasetSplit.Train), 12000));
        var test = Context.Data.Cache(Context.Data.TakeRows(Context.Data.LoadFashionMnist(DatasetSplit.Test), 1000));
        Train = pixels.Fit(train).Transform(train);
        Test = pixels.Fit(test).Transform(test);
        Model = Context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Model = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.286f], [0.353f]),
            Epochs = 3, BatchSize = 64, LearningRate = 0.1, Seed = 1,
        }).Fit(Train);
    }

    public ExplainContext Context { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    public ImageClassificationTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}
