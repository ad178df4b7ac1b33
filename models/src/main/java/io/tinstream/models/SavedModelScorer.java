package io.tinstream.models;

import io.tinstream.models.embedding.IdRowMappingsFormat;
import io.tinstream.models.internal.FeedEncoder;
import io.tinstream.models.internal.ModelParamsIO;
import io.tinstream.models.layers.Head;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/** Scores batches with a SavedModel written by {@link CtrModel#exportSavedModel(Path)}. */
public final class SavedModelScorer implements AutoCloseable {
  public static final String PARAMS_FILE = "tinstream-model.properties";

  /** A collisionless model's id -> row mapping ({@code IdRowMappingsFormat} snapshot). */
  public static final String ID_ROWS_FILE = "tinstream-id-rows.bin";

  private final SavedModelBundle bundle;
  private final ModelParams params;
  private final long modelVersion;
  private final FieldRows fieldRows;

  private SavedModelScorer(
      SavedModelBundle bundle, ModelParams params, long modelVersion, FieldRows fieldRows) {
    this.bundle = bundle;
    this.params = params;
    this.modelVersion = modelVersion;
    this.fieldRows = fieldRows;
  }

  public static SavedModelScorer load(Path dir) throws IOException {
    Path propsFile = dir.resolve(PARAMS_FILE);
    if (!Files.isRegularFile(propsFile)) {
      throw new IllegalArgumentException(
          "not a tinstream SavedModel (no " + PARAMS_FILE + "): " + dir);
    }
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(propsFile)) {
      props.load(r);
    }
    ModelParams params = ModelParamsIO.fromProperties(props);
    FieldRows rows = FieldRows.hashed(params);
    if (params.idRows().collisionless()) {
      Path idRows = dir.resolve(ID_ROWS_FILE);
      if (!Files.isRegularFile(idRows)) {
        throw new IllegalArgumentException(
            "SavedModel of a collisionless model without its id mapping ("
                + ID_ROWS_FILE
                + "): "
                + dir);
      }
      rows =
          new ModelIdRows(params, IdRowMappingsFormat.readSnapshot(Files.readAllBytes(idRows)))
              .serving();
    }
    ConfigProto config = TfCtrModel.sessionConfig(params);
    SavedModelBundle bundle =
        SavedModelBundle.loader(dir.toString())
            .withTags(SavedModelBundle.DEFAULT_TAG)
            .withConfigProto(config)
            .load();
    return new SavedModelScorer(
        bundle, params, Long.parseLong(props.getProperty("model.version")), rows);
  }

  public ModelParams params() {
    return params;
  }

  public String modelName() {
    return params.variant();
  }

  public long modelVersion() {
    return modelVersion;
  }

  public float[] score(Batch batch) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(params, batch, fieldRows);
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = bundle.session().runner();
      for (Map.Entry<String, Tensor> t : enc.tensors().entrySet()) {
        owned.add(t.getValue());
        // A model exported before a field had a table has no input for it.
        if (bundle.graph().operation(t.getKey()) != null) {
          r.feed(t.getKey(), t.getValue());
        }
      }
      try (Result res = r.fetch(Head.SCORE).run()) {
        float[] out = new float[batch.size];
        ((TFloat32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  @Override
  public void close() {
    bundle.close();
  }
}
