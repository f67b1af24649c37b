using System.Runtime.InteropServices;

namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// The few entry points of Sean Barrett's stb_image used for decoding, from Debian's <c>libstb0</c>
/// (<c>libstb.so.0</c>). stb_image decodes PNG (8 and 16 bit, palette, interlaced), baseline and progressive JPEG
/// and BMP, always to 8 bits per channel with the channel count asked for.
/// </summary>
internal static unsafe partial class StbImageNative
{
    internal const string Library = "libstb.so.0";

    [LibraryImport(Library, EntryPoint = "stbi_load_from_memory")]
    internal static partial byte* LoadFromMemory(
        byte* buffer, int length, out int width, out int height, out int channelsInFile, int desiredChannels);

    [LibraryImport(Library, EntryPoint = "stbi_image_free")]
    internal static partial void ImageFree(void* pixels);

    // A static string inside the library (thread-local in recent stb versions); it must not be freed.
    [LibraryImport(Library, EntryPoint = "stbi_failure_reason")]
    internal static partial IntPtr FailureReason();
}
