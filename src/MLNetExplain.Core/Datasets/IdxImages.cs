namespace MLNetExplain.Datasets;

/// <summary>The contents of an IDX image file (magic <c>0x00000803</c>): <c>Count</c> grey images of
/// <c>Rows x Columns</c> bytes, stored one after another row by row.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Rows per image.</param>
/// <param name="Columns">Columns per image.</param>
/// <param name="Pixels">All pixels, <c>Count x Rows x Columns</c>; as one channel this is already planar.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
