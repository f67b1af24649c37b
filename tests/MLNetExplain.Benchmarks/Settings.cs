using System.Globalization;

namespace MLNetExplain.Benchmarks;

/// <summary>The runner's command line.</summary>
internal sealed record Settings(
    int Rounds,
    int Iterations,
    int Warmup,
    string[] Only,
    int Threads,
    int InteropOps,
    int Batch,
    string Python,
    bool NoPython,
    string[]? Methods = null)
{
    public const string Usage =
        "usage: MLNetExplain.Benchmarks [--rounds N] [--iterations N] [--warmup N] [--threads N] [--batch N] [--interop-ops N]\n" +
        "                               [--only SECTION[,SECTION...]] [--methods METHOD[,METHOD...]] [--python PATH] [--no-python]\n" +
        "sections: interop, resnet, adversarial, explainer, guard, pipeline, layers, trainstep (default: all but layers, trainstep)";

    /// <summary>Every section, in the order they run.</summary>
    public static readonly string[] AllSections = ["interop", "resnet", "adversarial", "explainer", "guard", "pipeline", "layers", "trainstep", "attribution"];

    /// <summary>What runs without <c>--only</c>: everything but the two investigations of the train step (layers, trainstep).</summary>
    public static readonly string[] DefaultSections = ["interop", "resnet", "adversarial", "explainer", "guard", "pipeline"];

    public bool Runs(string section) => Only.Contains(section);

    public static Settings Parse(string[] args)
    {
        var s = new Settings(3, 5, 3, DefaultSections, 2, 100_000, 64, "/usr/bin/python3", false);
        for (var k = 0; k < args.Length; k++)
        {
            string Next() => k + 1 < args.Length ? args[++k] : throw new ArgumentException($"{args[k]} needs a value.");
            int NextInt(int min)
            {
                var name = args[k];
                var v = int.Parse(Next(), CultureInfo.InvariantCulture);
                return v >= min ? v : throw new ArgumentException($"{name} must be at least {min}.");
            }

            s = args[k] switch
            {
                "--rounds" => s with { Rounds = NextInt(1) },
                "--iterations" => s with { Iterations = NextInt(1) },
                "--warmup" => s with { Warmup = NextInt(0) },
                "--only" => s with { Only = ParseSections(Next()) },
                "--threads" => s with { Threads = NextInt(1) },
                "--interop-ops" => s with { InteropOps = NextInt(1000) },
                "--batch" => s with { Batch = NextInt(2) },
                "--python" => s with { Python = Next() },
                "--no-python" => s with { NoPython = true },
                // Only the attribution section reads it: a re-measurement of a few methods without the whole table.
                "--methods" => s with { Methods = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "-h" or "--help" => throw new HelpRequestedException(),
                _ => throw new ArgumentException($"Unknown option {args[k]}."),
            };
        }

        return s;
    }

    private static string[] ParseSections(string value)
    {
        var sections = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = sections.Where(x => !AllSections.Contains(x)).ToList();
        return sections.Length > 0 && unknown.Count == 0
            ? AllSections.Where(sections.Contains).ToArray()
            : throw new ArgumentException($"--only takes one or more (comma-separated) of {string.Join(", ", AllSections)}.");
    }
}

/// <summary>Thrown by <see cref="Settings.Parse"/> for -h/--help.</summary>
internal sealed class HelpRequestedException : Exception;
