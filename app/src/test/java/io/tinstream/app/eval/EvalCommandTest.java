package io.tinstream.app.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.training.eval.TinyMovieLens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new EvalCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void missingDirectoryIsAClearErrorWithNonZeroExit(@TempDir Path tmp) {
    StringWriter err = new StringWriter();
    int rc = run(new StringWriter(), err, "--data", tmp.resolve("nope").toString());
    assertThat(rc).isNotZero();
    assertThat(err.toString()).contains("MovieLens directory not found");
  }

  @Test
  void unknownModelIsRejected(@TempDir Path tmp) throws Exception {
    StringWriter err = new StringWriter();
    int rc =
        run(
            new StringWriter(),
            err,
            "--data",
            TinyMovieLens.write(tmp.resolve("ml"), 3).toString(),
            "--model",
            "tin,bogus");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("unknown model 'bogus'");
  }

  @Test
  void runsOnAnyDirectoryInTheLayoutAndWritesJsonChartAndDocs(@TempDir Path tmp) throws Exception {
    Path data = TinyMovieLens.write(tmp.resolve("ml"), 8);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        run(
            out,
            err,
            "--data",
            data.toString(),
            "--model",
            "pool,tin,item-knn",
            "--seeds",
            "2",
            "--epochs",
            "2",
            "--max-len",
            "6",
            "--batch-size",
            "16",
            "--out",
            tmp.resolve("out").toString(),
            "--docs",
            "--docs-dir",
            tmp.resolve("docs").toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString()).contains("| pool | 2 |").contains("| tin | 2 |");
    String json = Files.readString(tmp.resolve("out/eval.json"));
    assertThat(json).contains("\"model\": \"tin\"").contains("\"best_epoch\"");
    assertThat(Files.size(tmp.resolve("out/eval-auc.png"))).isGreaterThan(1000);
    assertThat(Files.readString(tmp.resolve("docs/eval-movielens.md"))).contains("| tin | 2 |");
    assertThat(tmp.resolve("docs/eval-movielens.png")).exists();
    assertThat(out.toString()).contains("| item-knn | 1 |");
    assertThat(json).contains("\"model\": \"item-knn\"");

    // the same data split by global time, compared with the run above on the generated page
    err = new StringWriter();
    rc =
        run(
            new StringWriter(),
            err,
            "--data",
            data.toString(),
            "--model",
            "item-knn",
            "--split",
            "global-time",
            "--previous",
            tmp.resolve("out/eval.json").toString(),
            "--out",
            tmp.resolve("out2").toString(),
            "--docs",
            "--docs-dir",
            tmp.resolve("docs2").toString());
    assertThat(rc).as(err.toString()).isZero();
    String page = Files.readString(tmp.resolve("docs2/eval-movielens.md"));
    assertThat(page)
        .contains("--split global-time", "split by global time", "## What changed")
        .containsPattern(
            "\\| item-knn \\| [01]\\.\\d{4} ± 0\\.0000 \\(1\\) \\| [01]\\.\\d{4} ± 0\\.0000 \\(1\\) \\|");
    assertThat(
            run(
                new StringWriter(),
                new StringWriter(),
                "--data",
                data.toString(),
                "--split",
                "yearly"))
        .isEqualTo(2);
  }

  @Test
  void searchAndSoftSearchModelsRunInEvalAndMatchingReportsRecall(@TempDir Path tmp)
      throws Exception {
    Path data = TinyMovieLens.write(tmp.resolve("ml"), 6);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new EvalCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int rc =
        cl.execute(
            "--data", data.toString(),
            "--model", "sim,dare-half,stin-2",
            "--matching", "td-sasrec,sasrec-latest",
            "--seeds", "1",
            "--epochs", "1",
            "--max-len", "4",
            "--search-window", "12",
            "--match-len", "5",
            "--top-n", "5,20",
            "--batch-size", "16",
            "--dim", "4",
            "--out", tmp.resolve("out").toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString()).contains("| sim |", "| dare-half |", "| stin-2 |");
    assertThat(out.toString())
        .contains("recall@5", "NDCG@20", "| td-sasrec |", "| sasrec-latest |");
    String json = Files.readString(tmp.resolve("out/matching.json"));
    assertThat(json).contains("\"model\": \"td-sasrec\"", "\"cutoffs\": [5, 20]");
  }
}
