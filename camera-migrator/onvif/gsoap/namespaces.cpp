// SPDX-License-Identifier: GPL-2.0-or-later
// gSOAP's namespace table, written here instead of taken from the generated .nsmap so it also
// declares ONVIF's error namespace (faults would print with an empty prefix without it) and the
// WS-Discovery device type prefix. SOAP 1.2 first: ONVIF speaks SOAP 1.2; 1.1 is accepted too.
#include "soapH.h"

SOAP_NMAC struct Namespace namespaces[] = {
    {"SOAP-ENV", "http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/", nullptr},
    {"SOAP-ENC", "http://www.w3.org/2003/05/soap-encoding", "http://schemas.xmlsoap.org/soap/encoding/", nullptr},
    {"xsi", "http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/*/XMLSchema-instance", nullptr},
    {"xsd", "http://www.w3.org/2001/XMLSchema", "http://www.w3.org/*/XMLSchema", nullptr},
    {"wsa", "http://schemas.xmlsoap.org/ws/2004/08/addressing", "http://www.w3.org/2005/08/addressing", nullptr},
    {"wsdd", "http://schemas.xmlsoap.org/ws/2005/04/discovery", nullptr, nullptr},
    {"c14n", "http://www.w3.org/2001/10/xml-exc-c14n#", nullptr, nullptr},
    {"ds", "http://www.w3.org/2000/09/xmldsig#", nullptr, nullptr},
    {"saml1", "urn:oasis:names:tc:SAML:1.0:assertion", nullptr, nullptr},
    {"saml2", "urn:oasis:names:tc:SAML:2.0:assertion", nullptr, nullptr},
    {"wsu", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd", nullptr, nullptr},
    {"xenc", "http://www.w3.org/2001/04/xmlenc#", nullptr, nullptr},
    {"wsc", "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512", "http://schemas.xmlsoap.org/ws/2005/02/sc", nullptr},
    {"wsse", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
     "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd", nullptr},
    {"tt", "http://www.onvif.org/ver10/schema", nullptr, nullptr},
    {"tds", "http://www.onvif.org/ver10/device/wsdl", nullptr, nullptr},
    {"trt", "http://www.onvif.org/ver10/media/wsdl", nullptr, nullptr},
    {"ter", "http://www.onvif.org/ver10/error", nullptr, nullptr},
    {"dn", "http://www.onvif.org/ver10/network/wsdl", nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr}};
