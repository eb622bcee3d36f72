/**
 * File and argument helpers of the Ascend inference app.
 */
#include "inc/utils.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

bool ParseArgs(int argc, char **argv, std::map<std::string, std::string> *args) {
  for (int i = 1; i < argc; ++i) {
    std::string arg(argv[i]);
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos || eq == 2) {
      std::cerr << "error: arguments are --key=value, got '" << arg << "'" << std::endl;
      return false;
    }
    (*args)[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  return true;
}

std::string GetArg(const std::map<std::string, std::string> &args, const std::string &key,
                   const std::string &fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

bool ListBinFiles(const std::string &dir, std::vector<std::string> *names) {
  DIR *d = opendir(dir.c_str());
  if (d == nullptr) {
    return false;
  }
  const std::string suffix = ".bin";
  for (struct dirent *e = readdir(d); e != nullptr; e = readdir(d)) {
    std::string name(e->d_name);
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names->push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  closedir(d);
  std::sort(names->begin(), names->end());
  return true;
}

std::string JoinPath(const std::string &dir, const std::string &name) {
  if (dir.empty() || dir.back() == '/') {
    return dir + name;
  }
  return dir + "/" + name;
}

bool IsDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsFile(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool ReadInt32File(const std::string &path, std::vector<int32_t> *values) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return false;
  }
  std::streamsize size = in.tellg();
  if (size < 0 || size % static_cast<std::streamsize>(sizeof(int32_t)) != 0) {
    return false;
  }
  in.seekg(0, std::ios::beg);
  values->assign(static_cast<size_t>(size) / sizeof(int32_t), 0);
  return size == 0 || static_cast<bool>(in.read(reinterpret_cast<char *>(values->data()), size));
}

bool WriteFile(const std::string &path, const void *data, size_t size) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return false;
    }
    out.write(static_cast<const char *>(data), static_cast<std::streamsize>(size));
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      return false;
    }
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

double NowMicros() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) * 1e6 + static_cast<double>(tv.tv_usec);
}
