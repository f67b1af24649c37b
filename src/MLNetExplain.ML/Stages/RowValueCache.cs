using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// One pass-through column's values for the rows of a batch: a batched cursor has moved its upstream cursor past
/// a row by the time the row is served, so the values are copied as they are read (vectors deeply, since getters
/// reuse their buffers; images as copies, since upstream image stages recycle their image objects).
/// </summary>
internal abstract class RowValueCache
{
    /// <summary>The column's index (the same in the input and output schema).</summary>
    public abstract int ColumnIndex { get; }

    /// <summary>Copies the upstream row's value into <paramref name="slot"/>.</summary>
    public abstract void Store(int slot);

    /// <summary>A getter serving <paramref name="slot"/>() at call time.</summary>
    public abstract Delegate Getter(Func<int> slot);

    /// <summary>A cache for <paramref name="column"/> reading from <paramref name="row"/>.</summary>
    /// <exception cref="NotSupportedException">The column holds objects other than images, which cannot be kept past their row.</exception>
    public static RowValueCache Create(DataViewRow row, DataViewSchema.Column column, int capacity, string stage, IEnumerable<string> outputs)
    {
        var raw = column.Type.RawType;
        if (raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>))
        {
            return Make(nameof(MakeVector), raw.GetGenericArguments()[0], row, column, capacity);
        }

        if (raw == typeof(MLImage))
        {
            return new ImageCache(row.GetGetter<MLImage>(column), column, capacity);
        }

        if (!raw.IsValueType)
        {
            throw new NotSupportedException(
                $"Column '{column.Name}' ({column.Type}) cannot be read together with {string.Join(", ", outputs.Select(o => $"'{o}'"))} of the {stage} stage: " +
                "the stage reads rows ahead in batches and objects of this type (other than images) cannot be kept past their row. Drop the column first (DropColumns) or read it in a separate cursor.");
        }

        return Make(nameof(MakeValue), raw, row, column, capacity);
    }

    private static RowValueCache Make(string factory, Type type, DataViewRow row, DataViewSchema.Column column, int capacity) =>
        (RowValueCache)typeof(RowValueCache).GetMethod(factory, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, [row, column, capacity])!;

    private static RowValueCache MakeVector<T>(DataViewRow row, DataViewSchema.Column column, int capacity) =>
        new VectorCache<T>(row.GetGetter<VBuffer<T>>(column), column.Index, capacity);

    private static RowValueCache MakeValue<T>(DataViewRow row, DataViewSchema.Column column, int capacity) =>
        new ValueCache<T>(row.GetGetter<T>(column), column.Index, capacity);

    private sealed class ValueCache<T>(ValueGetter<T> getter, int index, int capacity) : RowValueCache
    {
        private readonly T[] _values = new T[capacity];

        public override int ColumnIndex => index;

        public override void Store(int slot) => getter(ref _values[slot]);

        public override Delegate Getter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);
    }

    private sealed class VectorCache<T>(ValueGetter<VBuffer<T>> getter, int index, int capacity) : RowValueCache
    {
        private readonly VBuffer<T>[] _values = new VBuffer<T>[capacity];
        private VBuffer<T> _read;

        public override int ColumnIndex => index;

        public override void Store(int slot)
        {
            getter(ref _read);
            _read.CopyTo(ref _values[slot]);
        }

        public override Delegate Getter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot()].CopyTo(ref value));
    }

    private sealed class ImageCache(ValueGetter<MLImage> getter, DataViewSchema.Column column, int capacity) : RowValueCache
    {
        private readonly MLImage?[] _values = new MLImage?[capacity];

        public override int ColumnIndex => column.Index;

        public override void Store(int slot)
        {
            MLImage? image = null;
            getter(ref image!);
            // A reader may keep the image it was served (CreateEnumerable does), so copies are left to the garbage collector.
            _values[slot] = image is null ? null : Copy(image);
        }

        public override Delegate Getter(Func<int> slot) => (ValueGetter<MLImage>)((ref MLImage value) => value = _values[slot()]!);

        private MLImage Copy(MLImage image)
        {
            if (image.PixelFormat == MLPixelFormat.Unknown)
            {
                throw new NotSupportedException(
                    $"Column '{column.Name}' holds an image of an unknown pixel format, which the stage cannot copy to keep past its row; drop the column before the stage (DropColumns).");
            }

            var copy = MLImage.CreateFromPixels(image.Width, image.Height, image.PixelFormat, image.Pixels);
            copy.Tag = image.Tag;
            return copy;
        }
    }
}
