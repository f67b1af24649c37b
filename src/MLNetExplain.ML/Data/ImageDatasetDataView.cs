using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Datasets;

namespace MLNetExplain.ML.Data;

/// <summary>
/// An <see cref="IDataView"/> over the bytes of an <see cref="ImageDataset"/>, read in place: a key label column whose
/// <c>KeyValues</c> annotation holds the class names, and a <c>Vector&lt;Single, C, H, W&gt;</c> features column that
/// scales each byte to [0, 1] as the row is read.
/// </summary>
/// <remarks>
/// Nothing is copied up front, so a view over 60,000 images costs no more memory than the dataset itself; a cursor
/// fills the caller's vector buffer and allocates nothing per row. Shuffling draws one permutation of the row indices
/// from the cursor's <see cref="Random"/>, so the same seed gives the same order.
/// </remarks>
internal sealed class ImageDatasetDataView : IDataView
{
    private readonly ImageDataset _dataset;

    public ImageDatasetDataView(ImageDataset dataset, string featuresColumnName, string labelColumnName)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(featuresColumnName);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        if (featuresColumnName == labelColumnName)
        {
            throw new ArgumentException(
                $"The features and label columns need different names, but both are '{featuresColumnName}'.",
                nameof(labelColumnName));
        }

        _dataset = dataset;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(labelColumnName, new KeyDataViewType(typeof(uint), dataset.ClassCount), ClassNameAnnotations(dataset.ClassNames));
        builder.AddColumn(featuresColumnName,
            new VectorDataViewType(NumberDataViewType.Single, dataset.Channels, dataset.Height, dataset.Width));
        Schema = builder.ToSchema();
    }

    /// <summary>Index of the label column in <see cref="Schema"/>.</summary>
    internal const int LabelIndex = 0;

    /// <summary>Index of the features column in <see cref="Schema"/>.</summary>
    internal const int FeaturesIndex = 1;

    public bool CanShuffle => true;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _dataset.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        bool[] active = new bool[Schema.Count];
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            CheckColumn(column);
            active[column.Index] = true;
        }

        return new ImageDatasetCursor(this, _dataset, active, rand is null ? null : Permutation(_dataset.Count, rand));
    }

    /// <summary>One cursor, whatever <paramref name="n"/> asks: reading a row is a copy of a few hundred bytes, so
    /// splitting the rows over threads would cost more in consolidation than it saves.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Index >= Schema.Count || !ReferenceEquals(Schema[column.Index].Type, column.Type) || Schema[column.Index].Name != column.Name)
        {
            throw new ArgumentException(
                $"Column '{column.Name}' does not belong to this image dataset view (its columns are " +
                $"'{Schema[LabelIndex].Name}' and '{Schema[FeaturesIndex].Name}').", nameof(column));
        }
    }

    /// <summary>Fisher-Yates over 0..count-1 with the caller's generator, so a seeded Random gives one fixed order.</summary>
    private static int[] Permutation(int count, Random rand)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = rand.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static DataViewSchema.Annotations ClassNameAnnotations(string[] classNames)
    {
        var names = new ReadOnlyMemory<char>[classNames.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = classNames[i].AsMemory();
        }

        var builder = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            VBufferEditor<ReadOnlyMemory<char>> editor = VBufferEditor.Create(ref value, names.Length);
            names.CopyTo(editor.Values);
            value = editor.Commit();
        };

        // ML.NET's name for the annotation MapKeyToValue and the evaluators read class names from.
        builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length), getter);
        return builder.ToAnnotations();
    }
}
