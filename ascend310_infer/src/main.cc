/**
 * Ascend 310 inference of an exported LSTM MINDIR over the files preprocess.py writes.
 *
 *   main --mindir_path=lstm.mindir --input0_path=preprocess_Result/00_data
 *        --input1_path=preprocess_Result/01_data --result_dir=result_Files
 *        --batch_size=64 [--device_id=0]
 *
 * input0 files: int32 token ids (rows x max_len); input1 files: int32 lengths (rows). The
 * MINDIR has a dynamic batch; the Ascend graph is compiled for --batch_size (preprocess.py's
 * batch), and a shorter last file is padded with one-token rows that are dropped again.
 * For every <name>.bin the app writes result_dir/<name>_0.bin: float32 logits (rows x classes),
 * the files postprocess.py scores.
 */
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "include/api/context.h"
#include "include/api/model.h"
#include "include/api/serialization.h"
#include "include/api/types.h"
#include "inc/utils.h"

using mindspore::Ascend310DeviceInfo;
using mindspore::Context;
using mindspore::DataType;
using mindspore::Graph;
using mindspore::GraphCell;
using mindspore::kSuccess;
using mindspore::Model;
using mindspore::ModelType;
using mindspore::MSTensor;
using mindspore::Serialization;
using mindspore::Status;

namespace {

constexpr int32_t kUnkId = 1;  // id of <unk> in every vocabulary (src/vocab.py)

int Fail(const std::string &message) {
  std::cerr << "error: " << message << std::endl;
  return 1;
}

bool ParsePositive(const std::string &text, int64_t *value) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used != text.size() || v < 0) {
      return false;
    }
    *value = static_cast<int64_t>(v);
    return true;
  } catch (const std::exception &) {
    return false;
  }
}

}  // namespace

int main(int argc, char **argv) {
  std::map<std::string, std::string> args;
  if (!ParseArgs(argc, argv, &args)) {
    return 2;
  }
  const std::string mindir_path = GetArg(args, "mindir_path");
  const std::string input0_path = GetArg(args, "input0_path");
  const std::string input1_path = GetArg(args, "input1_path");
  const std::string result_dir = GetArg(args, "result_dir", "./result_Files");
  int64_t batch = 0;
  int64_t device_id = 0;
  if (!IsFile(mindir_path)) {
    return Fail("--mindir_path '" + mindir_path + "' is not an existing file");
  }
  if (!IsDirectory(input0_path) || !IsDirectory(input1_path)) {
    return Fail("--input0_path and --input1_path must be the 00_data and 01_data folders preprocess.py wrote");
  }
  if (!IsDirectory(result_dir)) {
    return Fail("--result_dir '" + result_dir + "' is not an existing directory");
  }
  if (!ParsePositive(GetArg(args, "batch_size"), &batch) || batch == 0) {
    return Fail("--batch_size must be a positive integer (the batch_size preprocess.py used)");
  }
  if (!ParsePositive(GetArg(args, "device_id", "0"), &device_id)) {
    return Fail("--device_id must be a non-negative integer");
  }

  std::vector<std::string> names;
  if (!ListBinFiles(input0_path, &names) || names.empty()) {
    return Fail("no .bin files in '" + input0_path + "': run preprocess.py first");
  }

  // max_len from the first file pair: ids hold rows * max_len values, lengths hold rows
  std::vector<int32_t> ids;
  std::vector<int32_t> lengths;
  if (!ReadInt32File(JoinPath(input0_path, names[0] + ".bin"), &ids) ||
      !ReadInt32File(JoinPath(input1_path, names[0] + ".bin"), &lengths) || lengths.empty() ||
      ids.size() % lengths.size() != 0) {
    return Fail("cannot read the input pair '" + names[0] + ".bin'");
  }
  const int64_t max_len = static_cast<int64_t>(ids.size() / lengths.size());

  auto context = std::make_shared<Context>();
  auto ascend = std::make_shared<Ascend310DeviceInfo>();
  ascend->SetDeviceID(static_cast<uint32_t>(device_id));
  // fix the dynamic batch dimension of the MINDIR for the Ascend graph compiler
  ascend->SetInputShapeMap({{0, {static_cast<int>(batch), static_cast<int>(max_len)}},
                            {1, {static_cast<int>(batch)}}});
  context->MutableDeviceInfo().push_back(ascend);

  Graph graph;
  Status ret = Serialization::Load(mindir_path, ModelType::kMindIR, &graph);
  if (ret != kSuccess) {
    return Fail("cannot load MINDIR '" + mindir_path + "': " + ret.ToString());
  }
  Model model;
  ret = model.Build(GraphCell(graph), context);
  if (ret != kSuccess) {
    return Fail("building the model failed: " + ret.ToString());
  }
  std::vector<MSTensor> model_inputs = model.GetInputs();
  if (model_inputs.size() != 2) {
    return Fail("the MINDIR has " + std::to_string(model_inputs.size()) + " inputs, expected ids and lengths");
  }

  double total_us = 0;
  int64_t total_rows = 0;
  for (const std::string &name : names) {
    if (!ReadInt32File(JoinPath(input0_path, name + ".bin"), &ids) ||
        !ReadInt32File(JoinPath(input1_path, name + ".bin"), &lengths)) {
      return Fail("cannot read the input pair '" + name + ".bin'");
    }
    const int64_t rows = static_cast<int64_t>(lengths.size());
    if (rows == 0 || rows > batch || static_cast<int64_t>(ids.size()) != rows * max_len) {
      return Fail("'" + name + ".bin' does not hold 1.." + std::to_string(batch) + " rows of " +
                  std::to_string(max_len) + " ids: run preprocess.py again with --batch_size=" +
                  std::to_string(batch));
    }
    // pad a short batch with one-token rows
    for (int64_t r = rows; r < batch; ++r) {
      ids.resize(static_cast<size_t>((r + 1) * max_len), 0);
      ids[static_cast<size_t>(r * max_len)] = kUnkId;
      lengths.push_back(1);
    }
    std::vector<MSTensor> inputs;
    inputs.emplace_back(model_inputs[0].Name(), DataType::kNumberTypeInt32, std::vector<int64_t>{batch, max_len},
                        ids.data(), ids.size() * sizeof(int32_t));
    inputs.emplace_back(model_inputs[1].Name(), DataType::kNumberTypeInt32, std::vector<int64_t>{batch},
                        lengths.data(), lengths.size() * sizeof(int32_t));
    std::vector<MSTensor> outputs;
    double start = NowMicros();
    ret = model.Predict(inputs, &outputs);
    total_us += NowMicros() - start;
    if (ret != kSuccess || outputs.empty()) {
      return Fail("inference on '" + name + ".bin' failed: " + ret.ToString());
    }
    std::shared_ptr<const void> logits = outputs[0].Data();
    const size_t row_bytes = outputs[0].DataSize() / static_cast<size_t>(batch);
    if (logits == nullptr || row_bytes == 0) {
      return Fail("inference on '" + name + ".bin' returned no logits");
    }
    if (!WriteFile(JoinPath(result_dir, name + "_0.bin"), logits.get(), row_bytes * static_cast<size_t>(rows))) {
      return Fail("cannot write '" + JoinPath(result_dir, name + "_0.bin") + "'");
    }
    total_rows += rows;
  }
  std::cout << "inference: " << total_rows << " reviews in " << names.size() << " files, "
            << total_us / 1000.0 << " ms (" << total_us / 1000.0 / static_cast<double>(names.size())
            << " ms per batch of " << batch << "); logits in " << result_dir << std::endl;
  return 0;
}
