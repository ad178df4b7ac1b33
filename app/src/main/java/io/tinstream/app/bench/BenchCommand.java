package io.tinstream.app.bench;

import picocli.CommandLine.Command;

/**
 * {@code tinstream bench <ingest|serving|models|dare-search|lrea>}: one parent so the benches share
 * their output options ({@link BenchOptions}) and report the same way ({@link
 * io.tinstream.app.report.BenchReport}). Without a subcommand picocli answers "Missing required
 * subcommand" and exit code 2, as for any other bad command line.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks on this machine; each prints a markdown section and writes it into"
            + " docs/benchmarks.md (see --out, --doc, --no-doc).",
    subcommands = {
      IngestBenchCommand.class,
      ServingBenchCommand.class,
      ModelBenchCommand.class,
      DareSearchBenchCommand.class,
      LreaBenchCommand.class,
      FeedLearningBenchCommand.class
    })
public final class BenchCommand {}
