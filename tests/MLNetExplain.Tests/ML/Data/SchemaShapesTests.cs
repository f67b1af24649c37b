using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetExplain.ML.Data;

namespace MLNetExplain.Tests.ML.Data;

/// <summary>The one place that builds SchemaShape columns without ML.NET's internal constructor.</summary>
public class SchemaShapesTests
{
    [Fact]
    public void ColumnCarriesEveryFieldIncludingAnnotations()
    {
        var annotations = new SchemaShape([SchemaShapes.Column("SlotNames", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]);
        SchemaShape.Column column = SchemaShapes.Column("Heat", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, annotations);

        Assert.Equal("Heat", column.Name);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.Equal(NumberDataViewType.Single, column.ItemType);
        Assert.False(column.IsKey);
        Assert.Equal("SlotNames", Assert.Single(column.Annotations).Name);

        // Without annotations the shape is empty, never null, as ML.NET's own constructor leaves it.
        Assert.Empty(SchemaShapes.Column("X", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false).Annotations);
    }

    [Fact]
    public void ScalarOfAKeyTypeIsAKeyOverItsRawType()
    {
        SchemaShape.Column key = SchemaShapes.Scalar("Label", new KeyDataViewType(typeof(uint), 10));
        Assert.True(key.IsKey);
        Assert.Equal(NumberDataViewType.UInt32, key.ItemType);
        Assert.Throws<ArgumentException>(() => SchemaShapes.Scalar("V", new VectorDataViewType(NumberDataViewType.Single, 3)));
        Assert.Throws<ArgumentException>(() =>
            SchemaShapes.Column("V", SchemaShape.Column.VectorKind.Vector, new VectorDataViewType(NumberDataViewType.Single, 3), false));
    }

    [Fact]
    public void WithReplacesInPlaceOrAppendsAndTryFindSeesIt()
    {
        var shape = new SchemaShape([
            SchemaShapes.Scalar("A", NumberDataViewType.Single),
            SchemaShapes.Scalar("B", NumberDataViewType.Single),
        ]);

        SchemaShape replaced = SchemaShapes.With(shape, SchemaShapes.Scalar("A", TextDataViewType.Instance));
        Assert.Equal(["A", "B"], replaced.Select(c => c.Name));
        Assert.True(SchemaShapes.TryFind(replaced, "A", out SchemaShape.Column a));
        Assert.Equal(TextDataViewType.Instance, a.ItemType);

        SchemaShape appended = SchemaShapes.With(shape, SchemaShapes.Scalar("C", new ImageDataViewType()));
        Assert.Equal(["A", "B", "C"], appended.Select(c => c.Name));
        Assert.False(SchemaShapes.TryFind(appended, "D", out _));
    }

    [Fact]
    public void BuiltInEstimatorsAcceptColumnsMadeHere()
    {
        // ML.NET's own ResizeImages and ExtractPixels check an image column made here and pass it on.
        var ml = new MLContext(seed: 1);
        var shape = new SchemaShape([SchemaShapes.Scalar("Image", new ImageDataViewType())]);
        SchemaShape output = ml.Transforms.ResizeImages("Small", 4, 4, "Image")
            .Append(ml.Transforms.ExtractPixels("Pixels", "Small"))
            .GetOutputSchema(shape);
        Assert.True(SchemaShapes.TryFind(output, "Pixels", out SchemaShape.Column pixels));
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, pixels.Kind);
        Assert.Equal(NumberDataViewType.Single, pixels.ItemType);
    }
}
