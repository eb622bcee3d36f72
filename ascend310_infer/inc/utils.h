/**
 * File and argument helpers of the Ascend inference app: the binary files written by
 * preprocess.py (int32, native byte order) in, float32 logits out.
 */
#ifndef LSTM_ASCEND310_INFER_INC_UTILS_H_
#define LSTM_ASCEND310_INFER_INC_UTILS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

// --key=value arguments; returns false (after printing why) on anything else
bool ParseArgs(int argc, char **argv, std::map<std::string, std::string> *args);

// the value of key, or fallback when absent
std::string GetArg(const std::map<std::string, std::string> &args, const std::string &key,
                   const std::string &fallback = "");

// names (without the .bin suffix) of the *.bin files in dir, sorted; false if dir is unreadable
bool ListBinFiles(const std::string &dir, std::vector<std::string> *names);

std::string JoinPath(const std::string &dir, const std::string &name);

bool IsDirectory(const std::string &path);

bool IsFile(const std::string &path);

// whole file as int32 values; false if unreadable or its size is not a multiple of 4
bool ReadInt32File(const std::string &path, std::vector<int32_t> *values);

// write size bytes, via a temporary name so that a file is never left half written
bool WriteFile(const std::string &path, const void *data, size_t size);

// microseconds since the epoch
double NowMicros();

#endif  // LSTM_ASCEND310_INFER_INC_UTILS_H_
