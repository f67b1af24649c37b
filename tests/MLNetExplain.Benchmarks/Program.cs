Console.WriteLine("MLNetExplain benchmarks: sections arrive with the port.");
