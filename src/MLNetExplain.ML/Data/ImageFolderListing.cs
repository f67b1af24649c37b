namespace MLNetExplain.ML.Data;

/// <summary>One image file found by <see cref="ImageFolder.Scan"/> and the class its folder stands for.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Label">0-based index of its class folder among the sorted class folders.</param>
public sealed record ImageFolderEntry(string Path, int Label);

/// <summary>What <see cref="ImageFolder.Scan"/> found under a root folder.</summary>
/// <param name="Entries">Every image, ordered by class then by file name.</param>
/// <param name="ClassNames">The class folder names, sorted ordinally; a label indexes this list.</param>
public sealed record ImageFolderListing(IReadOnlyList<ImageFolderEntry> Entries, IReadOnlyList<string> ClassNames);
