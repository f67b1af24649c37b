using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Data;

namespace MLNetExplain.Tests.ML.Stages;

public class SchemaShapesTests
{
    [Fact]
    public void AppendedColumnsKeepTypeKindKeyAndAnnotationsAndReplaceSameNamedOnes()
    {
        var ml = new MLContext(seed: 1);
        var input = SchemaShapes.Of(TinyImages.View(ml, 1).Schema);
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.AddPrimitiveValue("Note", TextDataViewType.Instance, "x".AsMemory());
        var shape = SchemaShapes.Append(input,
        [
            new DataViewSchema.DetachedColumn("Map", new VectorDataViewType(NumberDataViewType.Single, 1, 2, 2), annotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn("Id", new KeyDataViewType(typeof(uint), 5)),
            new DataViewSchema.DetachedColumn("Any", new VectorDataViewType(NumberDataViewType.Double)),
        ]);

        Assert.Equal(input.Count + 2, shape.Count);
        var map = shape.Single(c => c.Name == "Map");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, map.Kind);
        Assert.Equal(NumberDataViewType.Single, map.ItemType);
        Assert.False(map.IsKey);
        Assert.Equal("Note", Assert.Single(map.Annotations).Name);
        var id = shape.Single(c => c.Name == "Id");
        Assert.True(id.IsKey);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, id.Kind);
        Assert.Equal(NumberDataViewType.UInt32, id.ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, shape.Single(c => c.Name == "Any").Kind);

        // ML.NET's own estimators accept the shape: a built-in stage downstream of ours checks against it.
        Assert.True(shape.Single(c => c.Name == "Label").IsKey);
        var after = ml.Transforms.Concatenate("Both", "Map", "Features").GetOutputSchema(shape);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, after.Single(c => c.Name == "Both").Kind);
        var misfit = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Concatenate("Both", "Map", "Any").GetOutputSchema(shape));
        Assert.Contains("Any", misfit.Message);
    }
}
