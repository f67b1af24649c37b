using MLNetExplain.Training;

namespace MLNetExplain.Tests.Training;

[Collection(FashionMnistCollection.Name)]
public class StandardTrainingTests(FashionMnistFixture data)
{
    [Fact]
    public void SmallCnnLearnsFashionMnist()
    {
        double accuracy = ClassifierEvaluation.Accuracy(data.Model, data.TestImages, data.TestLabels);
        Console.WriteLine($"standard: test accuracy {accuracy:F4}, {data.TrainingSeconds:F1} s, reports: {string.Join("; ", data.Reports)}");
        Assert.True(accuracy > 0.75, $"test accuracy {accuracy} after 4 epochs on 6000 images");
        Assert.Equal([1, 2, 3, 4], data.Reports.Select(r => r.Epoch));
        Assert.True(data.Reports[3].Loss < data.Reports[0].Loss);
        Assert.Equal(4 * 94, data.Reports[3].Steps);
        Assert.False(data.Model.training);
    }
}
