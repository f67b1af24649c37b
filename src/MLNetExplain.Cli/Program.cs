Console.WriteLine("mlnetexplain: jobs arrive with the port.");
