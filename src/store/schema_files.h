#pragma once

#include <string>
#include <vector>

namespace usaged::store {

// A migration file compiled into the binary: "<engine>/<NNNN>_<name>.<up|down>.sql".
struct SchemaFile {
  std::string path;
  std::string text;
};

const std::vector<SchemaFile>& EmbeddedSchemaFiles();

}  // namespace usaged::store
