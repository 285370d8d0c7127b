// The little XML that S3 answers with (listings, errors): the text of every <TAG> element,
// entities unescaped. Not a general parser: S3's bodies are flat enough for this, and it
// cannot recurse or allocate more than the body's size.
#pragma once

#include <string>
#include <vector>

namespace pangeo {

std::vector<std::string> xml_values(const std::string& xml, const std::string& tag);
std::string xml_unescape(const std::string& s);

}  // namespace pangeo
