using MLNetExplain.Torch;

namespace MLNetExplain.Data;

/// <summary>Settings of an <see cref="ExplainContext"/> (also bound by <c>services.AddMLNetExplain</c>).</summary>
public sealed class ExplainContextOptions
{
    /// <summary>Seed for every stochastic stage; null draws one from the clock (not reproducible).</summary>
    public int? Seed { get; set; }

    /// <summary>The CUDA device to use, or null for the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Use the CPU when <see cref="GpuDeviceId"/> is set but CUDA is absent (else throw).</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>libtorch intra-op threads; null keeps the default (all cores).</summary>
    public int? NumThreads { get; set; }
}

/// <summary>A message logged by a pipeline stage.</summary>
public sealed record LoggingEventArgs(string Source, string Message);

/// <summary>Progress of long work: a stage, a step out of a total, and named metrics (loss, accuracy, images/s).</summary>
public sealed record ProgressReport(string Stage, long Step, long Total, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The entry point of MLNetExplain pipelines (the analogue of ML.NET's MLContext): seed, device, threads,
/// logging and progress, and the catalogs through which every component is created.
/// </summary>
public sealed class ExplainContext
{
    private readonly Random _seeds;
    private readonly object _seedLock = new();

    /// <summary>Creates a context; <paramref name="seed"/> makes every stage reproducible.</summary>
    public ExplainContext(int? seed = null) : this(new ExplainContextOptions { Seed = seed })
    {
    }

    /// <summary>Creates a context from options.</summary>
    public ExplainContext(ExplainContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Seed = options.Seed;
        _seeds = options.Seed is { } s ? new Random(s) : new Random();
        if (options.NumThreads is { } n)
        {
            Torch.Torch.NumThreads = n;
        }

        Device = options.GpuDeviceId is not { } gpu ? Device.Cpu
            : Torch.Torch.CudaDeviceCount > gpu ? Device.Cuda(gpu)
            : options.FallbackToCpu ? Device.Cpu
            : throw new InvalidOperationException($"GPU {gpu} was requested but libtorch sees {Torch.Torch.CudaDeviceCount} CUDA devices.");
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        Model = new ModelOperationsCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
    }

    /// <summary>The seed, if one was given.</summary>
    public int? Seed { get; }

    /// <summary>The device components compute on.</summary>
    public Device Device { get; }

    /// <summary>Loading, caching, shuffling and splitting data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Data transforms; components add extension methods to it.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Saving, loading and prediction engines.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Classifier trainers and their evaluation.</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }

    /// <summary>Cancels long-running work started through this context.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Receives progress of long work.</summary>
    public IProgress<ProgressReport>? Progress { get; set; }

    /// <summary>Messages from pipeline stages.</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>The next seed of this context's deterministic seed sequence (for one stochastic stage).</summary>
    public int NextSeed()
    {
        lock (_seedLock)
        {
            return _seeds.Next();
        }
    }

    /// <summary>Raises <see cref="Log"/>.</summary>
    public void WriteLog(string source, string message) => Log?.Invoke(this, new LoggingEventArgs(source, message));
}

/// <summary>The target of transform extension methods (ML.NET's TransformsCatalog).</summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(ExplainContext context) => Context = context;

    /// <summary>The owning context.</summary>
    public ExplainContext Context { get; }
}
