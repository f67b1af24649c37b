namespace MLNetExplain.Torch;

/// <summary>An error raised inside libtorch, carrying libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the managed cause.</summary>
    public TorchException(string message, Exception inner) : base(message, inner)
    {
    }
}
