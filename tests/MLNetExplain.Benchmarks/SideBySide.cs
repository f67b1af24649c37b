namespace MLNetExplain.Benchmarks;

/// <summary>
/// Runs a <see cref="Section"/>: <see cref="Settings.Rounds"/> rounds, each measuring our side in this process and
/// the Python peer in a fresh process one after the other (never at the same time, so each has every core),
/// alternating which goes first so slow drift of the machine's speed (other tenants, heat) favours neither; then
/// one table of the medians of the pooled samples and their ratio.
/// </summary>
internal static class SideBySide
{
    public static void Run(Section section, Settings settings)
    {
        Console.WriteLine($"== {section.Name}: {section.Title(settings)} ==");
        Console.WriteLine($"  load average at start: {Report.LoadAverage()}");
        var rows = section.Rows(settings);
        var ours = new Samples();
        var peer = new Samples();
        PeerRun? firstPeer = null;
        string? peerError = settings.NoPython ? "--no-python" : section.HasPeer ? null : "this section measures our side only";
        for (var round = 0; round < settings.Rounds; round++)
        {
            Console.WriteLine($"  round {round + 1}/{settings.Rounds}:");
            var pythonFirst = round % 2 == 1;
            if (pythonFirst)
            {
                PeerRound();
            }

            var mine = new Samples();
            section.MeasureOurs(settings, mine);
            ours.Merge(mine);
            Console.WriteLine($"    ours:   {Summary(mine, r => r.OurKey)}");
            if (!pythonFirst)
            {
                PeerRound();
            }
        }

        Console.WriteLine($"  load average at end: {Report.LoadAverage()} (other work on the machine skews both sides)");
        Console.WriteLine();
        if (peerError is not null && section.HasPeer && !settings.NoPython)
        {
            Console.WriteLine($"NOTE: no Python PyTorch numbers: {peerError}");
            Console.WriteLine("      Install it with `sudo apt-get install -y python3-torch` (or run tests/MLNetExplain.Benchmarks/run.sh).");
        }
        else if (firstPeer is not null)
        {
            Console.WriteLine($"Python peer: torch {firstPeer.TorchVersion}, Python {firstPeer.PythonVersion}, intra-op threads {firstPeer.Threads}");
        }

        Console.WriteLine();
        var table = rows.Select(r =>
        {
            var o = ours.Median(r.OurKey);
            var p = peer.Median(r.PeerKey);
            return new[] { r.Label, r.OurKey is null ? "-" : r.Format(o), r.PeerKey is null ? "-" : r.Format(p), Report.Ratio(o, p) };
        }).ToList();
        Report.PrintTable(["benchmark", "MLNetExplain (TorchSharp)", "PyTorch (Python)", "ratio ours/python"], table);
        Console.WriteLine();
        foreach (var line in section.Notes(settings, ours, peer))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine();

        void PeerRound()
        {
            if (peerError is not null)
            {
                return;
            }

            var p = PythonPeer.Run(settings, section.Name, section.PeerArguments(settings));
            if (p.Error is not null)
            {
                peerError = p.Error;
                Console.WriteLine("    python: unavailable");
                return;
            }

            firstPeer ??= p;
            peer.Merge(p.Samples);
            Console.WriteLine($"    python: {Summary(p.Samples, r => r.PeerKey)}");
        }

        string Summary(Samples s, Func<Row, string?> key) => string.Join(", ", rows
            .Select(key).OfType<string>().Distinct()
            .Where(k => s.Count(k) > 0)
            .Select(k => $"{k} {Report.Num(s.Median(k), "F2")}"));
    }
}
