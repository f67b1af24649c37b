namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// Lays equally sized images out in rows and columns on a white page, with optional row labels on the left and
/// column labels on top, e.g. one row per input image and one column per attribution method.
/// </summary>
/// <remarks>
/// Cells are magnified by an integer <see cref="Scale"/> with nearest-neighbour sampling, so every source pixel stays
/// a crisp square: smoothing would invent values that are in neither the image nor the attribution.
/// Layout, all in output pixels: a <see cref="Padding"/> margin around everything and between cells; the row label
/// column is as wide as the widest row label; the column label band is one line of text high.
/// </remarks>
public sealed class ImageGrid
{
    private static readonly (byte R, byte G, byte B) Ink = (0, 0, 0);
    private readonly RasterImage?[,] _cells;
    private readonly string?[] _rowLabels;
    private readonly string?[] _columnLabels;

    /// <summary>An empty grid.</summary>
    /// <param name="rows">Rows of cells.</param>
    /// <param name="columns">Columns of cells.</param>
    /// <param name="cellWidth">Width of each cell image, before magnification.</param>
    /// <param name="cellHeight">Height of each cell image, before magnification.</param>
    /// <param name="scale">Integer magnification of the cells. Default 1.</param>
    public ImageGrid(int rows, int columns, int cellWidth, int cellHeight, int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        (Rows, Columns, CellWidth, CellHeight, Scale) = (rows, columns, cellWidth, cellHeight, scale);
        _cells = new RasterImage?[rows, columns];
        _rowLabels = new string?[rows];
        _columnLabels = new string?[columns];
    }

    /// <summary>Rows of cells.</summary>
    public int Rows { get; }

    /// <summary>Columns of cells.</summary>
    public int Columns { get; }

    /// <summary>Width of each cell image before magnification.</summary>
    public int CellWidth { get; }

    /// <summary>Height of each cell image before magnification.</summary>
    public int CellHeight { get; }

    /// <summary>Integer magnification of the cells.</summary>
    public int Scale { get; }

    /// <summary>Blank pixels around the page and between cells and labels. Default 4.</summary>
    public int Padding { get; init; } = 4;

    /// <summary>Integer magnification of the 5x7 label font. Default 2 (10x14-pixel glyphs).</summary>
    public int FontScale { get; init; } = 2;

    /// <summary>Puts an image in a cell; grey (1 channel) and RGB (3 channels) images are accepted.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="column">0-based column.</param>
    /// <param name="image">A <see cref="CellWidth"/> x <see cref="CellHeight"/> image.</param>
    public void SetCell(int row, int column, RasterImage image)
    {
        CheckIndex(row, Rows, nameof(row));
        CheckIndex(column, Columns, nameof(column));
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width != CellWidth || image.Height != CellHeight)
        {
            throw new ArgumentException(
                $"Cell ({row}, {column}) must be {CellWidth}x{CellHeight}, but the image is {image.Width}x{image.Height}.",
                nameof(image));
        }

        if (image.Channels is not (1 or 3))
        {
            throw new ArgumentException($"Cell images must be grey or RGB, not {image.Channels} channels.", nameof(image));
        }

        _cells[row, column] = image;
    }

    /// <summary>Sets the label drawn to the left of a row.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="label">One line of printable ASCII; null removes the label.</param>
    public void SetRowLabel(int row, string? label)
    {
        CheckIndex(row, Rows, nameof(row));
        _rowLabels[row] = label;
    }

    /// <summary>Sets the label drawn above a column, centred when it fits and clipped to the column when not.</summary>
    /// <param name="column">0-based column.</param>
    /// <param name="label">One line of printable ASCII; null removes the label.</param>
    public void SetColumnLabel(int column, string? label)
    {
        CheckIndex(column, Columns, nameof(column));
        _columnLabels[column] = label;
    }

    /// <summary>Width of the finished page in pixels.</summary>
    public int Width => Padding + RowLabelWidth + Columns * (CellWidth * Scale + Padding);

    /// <summary>Height of the finished page in pixels.</summary>
    public int Height => Padding + ColumnLabelHeight + Rows * (CellHeight * Scale + Padding);

    /// <summary>Top-left corner, in page pixels, of a cell's magnified image.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="column">0-based column.</param>
    public (int X, int Y) CellOrigin(int row, int column)
    {
        CheckIndex(row, Rows, nameof(row));
        CheckIndex(column, Columns, nameof(column));
        return (Padding + RowLabelWidth + column * (CellWidth * Scale + Padding),
                Padding + ColumnLabelHeight + row * (CellHeight * Scale + Padding));
    }

    /// <summary>Top-left corner, in page pixels, of a row's label text (vertically centred on the row).</summary>
    /// <param name="row">0-based row.</param>
    public (int X, int Y) RowLabelOrigin(int row)
    {
        int cellY = CellOrigin(row, 0).Y;
        return (Padding, cellY + (CellHeight * Scale - BitmapFont.GlyphHeight * FontScale) / 2);
    }

    /// <summary>Top-left corner, in page pixels, of a column's label text.</summary>
    /// <param name="column">0-based column.</param>
    public (int X, int Y) ColumnLabelOrigin(int column)
    {
        int cellX = CellOrigin(0, column).X;
        int textWidth = BitmapFont.MeasureWidth(_columnLabels[column] ?? "", FontScale);
        int cellWidth = CellWidth * Scale;
        return (textWidth <= cellWidth ? cellX + (cellWidth - textWidth) / 2 : cellX, Padding);
    }

    /// <summary>Draws the page: white background, magnified cells (empty cells stay white) and labels.</summary>
    public RasterImage Render()
    {
        var page = new RasterImage(Width, Height, 3);
        page.Pixels.AsSpan().Fill(255);
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                if (_cells[r, c] is { } cell)
                {
                    (int x, int y) = CellOrigin(r, c);
                    Blit(page, cell, x, y);
                }
            }

            if (_rowLabels[r] is { } rowLabel)
            {
                (int x, int y) = RowLabelOrigin(r);
                BitmapFont.Draw(page, x, y, rowLabel, Ink, FontScale, RowLabelWidth);
            }
        }

        for (int c = 0; c < Columns; c++)
        {
            if (_columnLabels[c] is { } columnLabel)
            {
                (int x, int y) = ColumnLabelOrigin(c);
                int clip = CellOrigin(0, c).X + CellWidth * Scale - x;
                BitmapFont.Draw(page, x, y, columnLabel, Ink, FontScale, clip);
            }
        }

        return page;
    }

    /// <summary>Renders the page and writes it as a PNG file, atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    public void SavePng(string path) => ImageCodec.SavePng(path, Render());

    private int RowLabelWidth
    {
        get
        {
            int widest = _rowLabels.Max(l => l is null ? 0 : BitmapFont.MeasureWidth(l, FontScale));
            return widest == 0 ? 0 : widest + Padding;
        }
    }

    private int ColumnLabelHeight =>
        _columnLabels.Any(l => !string.IsNullOrEmpty(l)) ? BitmapFont.GlyphHeight * FontScale + Padding : 0;

    private void Blit(RasterImage page, RasterImage cell, int x0, int y0)
    {
        for (int y = 0; y < CellHeight * Scale; y++)
        {
            int sy = y / Scale;
            for (int x = 0; x < CellWidth * Scale; x++)
            {
                ReadOnlySpan<byte> source = cell.GetPixel(x / Scale, sy);
                Span<byte> target = page.GetPixel(x0 + x, y0 + y);
                target[0] = source[0];
                target[1] = source[cell.Channels == 3 ? 1 : 0];
                target[2] = source[cell.Channels == 3 ? 2 : 0];
            }
        }
    }

    private static void CheckIndex(int index, int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count, name);
    }
}
