package io.tinstream.training.data;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * A dataset in the MovieLens {@code ml-latest-small} CSV layout ({@code ratings.csv}, {@code
 * movies.csv}, {@code tags.csv}), and its mapping onto tinstream behaviors.
 *
 * <p>Category mapping (documented in the README): genres become a three-level tree so the
 * hierarchical search has something to descend. L1 = the movie's first listed genre; L2 = its whole
 * genre set (e.g. {@code Adventure|Animation|Comedy}), whose first genre is its L1 parent; L3 = the
 * genre set refined by {@code movieId mod 8}, a stand-in for a leaf category. Ids are indexes into
 * the sorted distinct values of this directory, so they are stable for one dataset. Ratings become
 * content-domain {@code RATE} actions with detail = rating; tags become {@code COMMENT} actions.
 */
public final class MovieLensDataset {

  /** Leaf buckets per genre set (L3 = L2 * this + movieId mod this). */
  public static final int L3_BUCKETS_PER_GENRE_SET = 8;

  public static final String RATINGS_FILE = "ratings.csv";
  public static final String MOVIES_FILE = "movies.csv";
  public static final String TAGS_FILE = "tags.csv";

  /** One rating row. */
  public record Rating(int userId, int movieId, float rating, long timestampMillis) {}

  /** One movie row, genres in file order. */
  public record Movie(int movieId, String title, List<String> genres) {}

  /** One tag row. */
  public record Tag(int userId, int movieId, String tag, long timestampMillis) {}

  private final Path directory;
  private final List<Rating> ratings;
  private final Map<Integer, Movie> movies;
  private final List<Tag> tags;
  private final Map<String, Integer> firstGenreIds;
  private final Map<String, Integer> genreSetIds;

  private MovieLensDataset(
      Path directory, List<Rating> ratings, Map<Integer, Movie> movies, List<Tag> tags) {
    this.directory = directory;
    this.ratings = ratings;
    this.movies = movies;
    this.tags = tags;
    this.firstGenreIds = indexOfSorted(movies.values(), m -> m.genres().get(0));
    this.genreSetIds = indexOfSorted(movies.values(), m -> String.join("|", m.genres()));
  }

  /**
   * Reads a directory in the ml-latest-small layout.
   *
   * @throws IllegalArgumentException naming the file (and line) when the directory, a file or a row
   *     is missing or malformed; {@code tags.csv} is optional
   */
  public static MovieLensDataset load(Path directory) {
    if (directory == null || !Files.isDirectory(directory)) {
      throw new IllegalArgumentException(
          "MovieLens directory not found: "
              + directory
              + " (expected a directory with ratings.csv and movies.csv, as in"
              + " ml-latest-small)");
    }
    Map<Integer, Movie> movies = new HashMap<>();
    for (CSVRecord row : readRequired(directory.resolve(MOVIES_FILE), "movieId,title,genres")) {
      int movieId = parseInt(row, "movieId", MOVIES_FILE);
      List<String> genres = Arrays.asList(field(row, "genres", MOVIES_FILE).split("\\|"));
      movies.put(movieId, new Movie(movieId, field(row, "title", MOVIES_FILE), genres));
    }
    List<Rating> ratings = new ArrayList<>();
    for (CSVRecord row :
        readRequired(directory.resolve(RATINGS_FILE), "userId,movieId,rating,timestamp")) {
      float rating = parseRating(row);
      if (!Float.isFinite(rating)) {
        throw malformed(RATINGS_FILE, row, "rating is not a finite number");
      }
      ratings.add(
          new Rating(
              parseInt(row, "userId", RATINGS_FILE),
              parseInt(row, "movieId", RATINGS_FILE),
              rating,
              parseLong(row, "timestamp", RATINGS_FILE) * 1000L));
    }
    List<Tag> tags = new ArrayList<>();
    Path tagsFile = directory.resolve(TAGS_FILE);
    if (Files.exists(tagsFile)) {
      for (CSVRecord row : readRequired(tagsFile, "userId,movieId,tag,timestamp")) {
        tags.add(
            new Tag(
                parseInt(row, "userId", TAGS_FILE),
                parseInt(row, "movieId", TAGS_FILE),
                field(row, "tag", TAGS_FILE),
                parseLong(row, "timestamp", TAGS_FILE) * 1000L));
      }
    }
    if (ratings.isEmpty()) {
      throw new IllegalArgumentException(directory.resolve(RATINGS_FILE) + " has no ratings");
    }
    ratings.sort(
        Comparator.comparingInt(Rating::userId)
            .thenComparingLong(Rating::timestampMillis)
            .thenComparingInt(Rating::movieId));
    tags.sort(Comparator.comparingInt(Tag::userId).thenComparingLong(Tag::timestampMillis));
    return new MovieLensDataset(
        directory,
        Collections.unmodifiableList(ratings),
        Collections.unmodifiableMap(movies),
        Collections.unmodifiableList(tags));
  }

  public Path directory() {
    return directory;
  }

  /** Ratings sorted by (userId, timestamp, movieId). */
  public List<Rating> ratings() {
    return ratings;
  }

  public Map<Integer, Movie> movies() {
    return movies;
  }

  /** Tags sorted by (userId, timestamp). */
  public List<Tag> tags() {
    return tags;
  }

  /** L1 category of a movie, or -1 when the movie is not in movies.csv. */
  public int categoryL1(int movieId) {
    Movie movie = movies.get(movieId);
    return movie == null ? -1 : firstGenreIds.get(movie.genres().get(0));
  }

  /** L2 category (the genre set) of a movie, or -1 when unknown. */
  public int categoryL2(int movieId) {
    Movie movie = movies.get(movieId);
    return movie == null ? -1 : genreSetIds.get(String.join("|", movie.genres()));
  }

  /** L3 category (genre set x id bucket) of a movie, or -1 when unknown. */
  public int categoryL3(int movieId) {
    int l2 = categoryL2(movieId);
    return l2 < 0
        ? -1
        : l2 * L3_BUCKETS_PER_GENRE_SET + Math.floorMod(movieId, L3_BUCKETS_PER_GENRE_SET);
  }

  /** The item fields of a movie as an ad/content item (categories null when unknown). */
  public ItemFields itemFields(int movieId) {
    ItemFields.Builder item = ItemFields.newBuilder().setItemId(movieId);
    if (movies.containsKey(movieId)) {
      item.setCategoryL1(categoryL1(movieId))
          .setCategoryL2(categoryL2(movieId))
          .setCategoryL3(categoryL3(movieId));
    }
    return item.build();
  }

  /** Ratings and tags as behavior events, in event-time order (ties by user, then kind). */
  public List<BehaviorEvent> behaviorEvents() {
    List<BehaviorEvent> events = new ArrayList<>(ratings.size() + tags.size());
    for (Rating r : ratings) {
      events.add(
          event(
              "ml-r-" + r.userId() + "-" + r.movieId() + "-" + r.timestampMillis(),
              r.userId(),
              r.timestampMillis(),
              ActionType.RATE,
              r.rating(),
              r.movieId()));
    }
    for (Tag t : tags) {
      events.add(
          event(
              "ml-t-"
                  + t.userId()
                  + "-"
                  + t.movieId()
                  + "-"
                  + t.timestampMillis()
                  + "-"
                  + Integer.toHexString(t.tag().hashCode()),
              t.userId(),
              t.timestampMillis(),
              ActionType.COMMENT,
              0.0,
              t.movieId()));
    }
    events.sort(
        Comparator.comparing(BehaviorEvent::getEventTime)
            .thenComparingLong(BehaviorEvent::getUserId)
            .thenComparing(BehaviorEvent::getEventId));
    return events;
  }

  private BehaviorEvent event(
      String id, long userId, long timeMillis, ActionType action, double detail, int movieId) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(userId)
        .setEventTime(Instant.ofEpochMilli(timeMillis))
        .setDomain(Domain.CONTENT)
        .setScenario(0)
        .setActionType(action)
        .setActionDetail(detail)
        .setItem(itemFields(movieId))
        .build();
  }

  private static Map<String, Integer> indexOfSorted(
      Iterable<Movie> movies, Function<Movie, String> key) {
    TreeSet<String> sorted = new TreeSet<>();
    movies.forEach(m -> sorted.add(key.apply(m)));
    Map<String, Integer> ids = new HashMap<>();
    for (String value : sorted) {
      ids.put(value, ids.size());
    }
    return ids;
  }

  private static List<CSVRecord> readRequired(Path file, String expectedHeader) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "missing " + file + " (the ml-latest-small layout needs header " + expectedHeader + ")");
    }
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      var parser = format.parse(reader);
      for (String column : expectedHeader.split(",")) {
        if (!parser.getHeaderMap().containsKey(column)) {
          throw new IllegalArgumentException(
              file + ": header lacks column '" + column + "' (expected " + expectedHeader + ")");
        }
      }
      return parser.getRecords();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String field(CSVRecord row, String name, String file) {
    if (!row.isSet(name)) {
      throw malformed(file, row, "missing column " + name);
    }
    return row.get(name);
  }

  private static int parseInt(CSVRecord row, String name, String file) {
    try {
      return Integer.parseInt(field(row, name, file).trim());
    } catch (NumberFormatException e) {
      throw malformed(file, row, name + " is not an integer: '" + row.get(name) + "'");
    }
  }

  private static float parseRating(CSVRecord row) {
    try {
      return Float.parseFloat(field(row, "rating", RATINGS_FILE).trim());
    } catch (NumberFormatException e) {
      throw malformed(RATINGS_FILE, row, "rating is not a number: '" + row.get("rating") + "'");
    }
  }

  private static long parseLong(CSVRecord row, String name, String file) {
    try {
      return Long.parseLong(field(row, name, file).trim());
    } catch (NumberFormatException e) {
      throw malformed(file, row, name + " is not an integer: '" + row.get(name) + "'");
    }
  }

  private static IllegalArgumentException malformed(String file, CSVRecord row, String what) {
    return new IllegalArgumentException(
        file + " line " + (row.getRecordNumber() + 1) + ": " + what);
  }
}
