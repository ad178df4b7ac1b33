package io.tinstream.training.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes a small directory in the ml-latest-small layout. */
public final class TinyMovieLens {
  private TinyMovieLens() {}

  /** {@code users} users; user 1 has 20 ratings (two sharing a timestamp), the last user 5. */
  public static Path write(Path dir, int users) throws IOException {
    Files.createDirectories(dir);
    String[] genres = {"Action", "Comedy", "Drama|Romance", "Action|Sci-Fi", "Animation|Comedy"};
    StringBuilder movies = new StringBuilder("movieId,title,genres\n");
    for (int m = 1; m <= 40; m++) {
      movies
          .append(m)
          .append(",\"Movie ")
          .append(m)
          .append(", The (2000)\",")
          .append(genres[m % 5])
          .append('\n');
    }
    Files.writeString(dir.resolve("movies.csv"), movies);
    StringBuilder ratings = new StringBuilder("userId,movieId,rating,timestamp\n");
    Random rnd = new Random(1);
    for (int u = 1; u <= users; u++) {
      int n = u == users ? 5 : 20;
      long t = 1_000_000_000L + u * 10_000L;
      for (int k = 0; k < n; k++) {
        int movie = 1 + (u * 7 + k * 3) % 40;
        if (k != 3) {
          t += 60 + rnd.nextInt(5000); // rating 3 shares rating 2's timestamp
        }
        ratings
            .append(u)
            .append(',')
            .append(movie)
            .append(',')
            .append(1 + rnd.nextInt(5))
            .append(".0,")
            .append(t)
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("ratings.csv"), ratings);
    return dir;
  }
}
