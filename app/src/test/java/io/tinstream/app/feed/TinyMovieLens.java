package io.tinstream.app.feed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A three-rating MovieLens directory: user 5's rating is the data's first, user 7 rates twice. */
final class TinyMovieLens {

  private TinyMovieLens() {}

  static Path writeTo(Path dir) throws IOException {
    Files.writeString(
        dir.resolve("movies.csv"),
        "movieId,title,genres\n1,A (1995),Drama\n2,B (1995),Comedy\n3,C (1995),Action\n");
    Files.writeString(
        dir.resolve("ratings.csv"),
        "userId,movieId,rating,timestamp\n5,3,2.0,500\n7,1,4.0,1000\n7,2,3.0,5000\n");
    return dir;
  }
}
