// Reads a Java .properties file (the format of CloudStack's db.properties).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace usaged::store {

// Parses the text of a .properties file as java.util.Properties does: '#' and
// '!' comments, '=', ':' or whitespace between key and value, backslash
// escapes (\t \n \r \f \uXXXX, any other escaped character stands for
// itself) and lines continued by a trailing backslash. A later key wins.
std::map<std::string, std::string> ParseJavaProperties(std::string_view text);

// Reads and parses `path`; throws InputError when it cannot be read.
std::map<std::string, std::string> ReadJavaProperties(const std::string& path);

}  // namespace usaged::store
