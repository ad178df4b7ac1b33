package io.tinstream.training.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the MovieLens directory for tests; fails (never skips) when it is absent. */
public final class MovieLensTestData {

  public static final String PROPERTY = "tinstream.movielens.dir";
  public static final String DEFAULT = "../shared/data/movielens-latest-small";

  private MovieLensTestData() {}

  public static Path directory() {
    Path dir = Path.of(System.getProperty(PROPERTY, DEFAULT));
    if (!Files.isRegularFile(dir.resolve(MovieLensDataset.RATINGS_FILE))) {
      throw new IllegalStateException(
          "MovieLens data not found at "
              + dir.toAbsolutePath()
              + ": set -D"
              + PROPERTY
              + "=<dir in the ml-latest-small layout> (CI keeps it in ../shared/data)");
    }
    return dir;
  }
}
