// SPDX-License-Identifier: GPL-2.0-or-later
// The ONVIF subset the appliance speaks, written by hand for gSOAP's soapcpp2 (no WSDL: none ships
// in Debian and none can be fetched at build time). Device and Media services of ONVIF Profile S,
// plus WS-Discovery 2005/04 and WS-Security UsernameToken from gSOAP's own import headers.
// Elements a camera sends that are not declared here are skipped by the parser, so this header
// only needs what the client reads and what the simulated camera must say.
// Not C++: soapcpp2 reads it and generates soapStub.h, soapH.h, soapC.cpp, soapClient.cpp and
// soapServer.cpp into the build tree (camera-migrator/CMakeLists.txt).

#import "stlvector.h"
#import "wsdd10.h"
#import "wsse.h"

//gsoap tt schema namespace: http://www.onvif.org/ver10/schema
//gsoap tt schema elementForm: qualified
//gsoap tt schema attributeForm: unqualified
//gsoap tds schema namespace: http://www.onvif.org/ver10/device/wsdl
//gsoap tds schema elementForm: qualified
//gsoap tds schema attributeForm: unqualified
//gsoap trt schema namespace: http://www.onvif.org/ver10/media/wsdl
//gsoap trt schema elementForm: qualified
//gsoap trt schema attributeForm: unqualified
//gsoap ter schema namespace: http://www.onvif.org/ver10/error
//gsoap dn schema namespace: http://www.onvif.org/ver10/network/wsdl

typedef std::string xsd__anyURI;
typedef std::string xsd__duration;
typedef std::string tt__ReferenceToken;

// ---- tt: common types ----
enum tt__SetDateTimeType { tt__SetDateTimeType__Manual, tt__SetDateTimeType__NTP };
enum tt__CapabilityCategory {
    tt__CapabilityCategory__All, tt__CapabilityCategory__Analytics, tt__CapabilityCategory__Device,
    tt__CapabilityCategory__Events, tt__CapabilityCategory__Imaging, tt__CapabilityCategory__Media,
    tt__CapabilityCategory__PTZ
};
enum tt__VideoEncoding { tt__VideoEncoding__JPEG, tt__VideoEncoding__MPEG4, tt__VideoEncoding__H264 };
enum tt__H264Profile { tt__H264Profile__Baseline, tt__H264Profile__Main, tt__H264Profile__Extended, tt__H264Profile__High };
enum tt__StreamType { tt__StreamType__RTP_Unicast, tt__StreamType__RTP_Multicast };
enum tt__TransportProtocol { tt__TransportProtocol__UDP, tt__TransportProtocol__TCP, tt__TransportProtocol__RTSP, tt__TransportProtocol__HTTP };
enum tt__IPType { tt__IPType__IPv4, tt__IPType__IPv6 };

class tt__Date { public: int Year; int Month; int Day; };
class tt__Time { public: int Hour; int Minute; int Second; };
class tt__DateTime { public: tt__Time* Time; tt__Date* Date; };
class tt__TimeZone { public: std::string TZ; };
class tt__SystemDateAndTime {
public:
    enum tt__SetDateTimeType DateTimeType;
    bool DaylightSavings;
    tt__TimeZone* TimeZone 0;
    tt__DateTime* UTCDateTime 0;
    tt__DateTime* LocalDateTime 0;
};

class tt__VideoResolution { public: int Width; int Height; };
class tt__IntRectangle { public: @int x; @int y; @int width; @int height; };
class tt__VideoRateControl { public: int FrameRateLimit; int EncodingInterval; int BitrateLimit; };
class tt__H264Configuration { public: int GovLength; enum tt__H264Profile H264Profile; };
class tt__IPAddress { public: enum tt__IPType Type; std::string* IPv4Address 0; std::string* IPv6Address 0; };
class tt__MulticastConfiguration { public: tt__IPAddress* Address; int Port; int TTL; bool AutoStart; };

class tt__VideoSource {
public:
    @tt__ReferenceToken token;
    float Framerate;
    tt__VideoResolution* Resolution;
};
class tt__VideoSourceConfiguration {
public:
    @tt__ReferenceToken token;
    std::string Name;
    int UseCount;
    tt__ReferenceToken SourceToken;
    tt__IntRectangle* Bounds;
};
class tt__VideoEncoderConfiguration {
public:
    @tt__ReferenceToken token;
    std::string Name;
    int UseCount;
    enum tt__VideoEncoding Encoding;
    tt__VideoResolution* Resolution;
    float Quality;
    tt__VideoRateControl* RateControl 0;
    tt__H264Configuration* H264 0;
    tt__MulticastConfiguration* Multicast;
    xsd__duration SessionTimeout;
};
class tt__Profile {
public:
    @tt__ReferenceToken token;
    @bool* fixed 0;
    std::string Name;
    tt__VideoSourceConfiguration* VideoSourceConfiguration 0;
    tt__VideoEncoderConfiguration* VideoEncoderConfiguration 0;
};

class tt__Transport { public: enum tt__TransportProtocol Protocol; };
class tt__StreamSetup { public: enum tt__StreamType Stream; tt__Transport* Transport; };
class tt__MediaUri {
public:
    xsd__anyURI Uri;
    bool InvalidAfterConnect;
    bool InvalidAfterReboot;
    xsd__duration Timeout;
};

class tt__DeviceCapabilities { public: xsd__anyURI XAddr; };
class tt__RealTimeStreamingCapabilities { public: bool* RTPMulticast 0; bool* RTP_USCORETCP 0; bool* RTP_USCORERTSP_USCORETCP 0; };
class tt__MediaCapabilities { public: xsd__anyURI XAddr; tt__RealTimeStreamingCapabilities* StreamingCapabilities; };
class tt__Capabilities {
public:
    tt__DeviceCapabilities* Device 0;
    tt__MediaCapabilities* Media 0;
};

class tt__OnvifVersion { public: int Major; int Minor; };
class tds__Service {
public:
    xsd__anyURI Namespace;
    xsd__anyURI XAddr;
    tt__OnvifVersion* Version;
};

// ---- tds: Device service ----
//gsoap tds service name: Device
//gsoap tds service style: document
//gsoap tds service encoding: literal
//gsoap tds service namespace: http://www.onvif.org/ver10/device/wsdl

class _tds__GetSystemDateAndTime { public: struct soap* soap; };
class _tds__GetSystemDateAndTimeResponse { public: tt__SystemDateAndTime* SystemDateAndTime; };
//gsoap tds service method-action: GetSystemDateAndTime http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime
int __tds__GetSystemDateAndTime(_tds__GetSystemDateAndTime* tds__GetSystemDateAndTime,
                                _tds__GetSystemDateAndTimeResponse& tds__GetSystemDateAndTimeResponse);

class _tds__GetDeviceInformation { public: struct soap* soap; };
class _tds__GetDeviceInformationResponse {
public:
    std::string Manufacturer;
    std::string Model;
    std::string FirmwareVersion;
    std::string SerialNumber;
    std::string HardwareId;
};
//gsoap tds service method-action: GetDeviceInformation http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation
int __tds__GetDeviceInformation(_tds__GetDeviceInformation* tds__GetDeviceInformation,
                                _tds__GetDeviceInformationResponse& tds__GetDeviceInformationResponse);

class _tds__GetCapabilities { public: std::vector<enum tt__CapabilityCategory> Category 0; };
class _tds__GetCapabilitiesResponse { public: tt__Capabilities* Capabilities; };
//gsoap tds service method-action: GetCapabilities http://www.onvif.org/ver10/device/wsdl/GetCapabilities
int __tds__GetCapabilities(_tds__GetCapabilities* tds__GetCapabilities,
                           _tds__GetCapabilitiesResponse& tds__GetCapabilitiesResponse);

class _tds__GetServices { public: bool IncludeCapability; };
class _tds__GetServicesResponse { public: std::vector<tds__Service*> Service 1; };
//gsoap tds service method-action: GetServices http://www.onvif.org/ver10/device/wsdl/GetServices
int __tds__GetServices(_tds__GetServices* tds__GetServices, _tds__GetServicesResponse& tds__GetServicesResponse);

// ---- trt: Media service ----
//gsoap trt service name: Media
//gsoap trt service style: document
//gsoap trt service encoding: literal
//gsoap trt service namespace: http://www.onvif.org/ver10/media/wsdl

class _trt__GetProfiles { public: struct soap* soap; };
class _trt__GetProfilesResponse { public: std::vector<tt__Profile*> Profiles 0; };
//gsoap trt service method-action: GetProfiles http://www.onvif.org/ver10/media/wsdl/GetProfiles
int __trt__GetProfiles(_trt__GetProfiles* trt__GetProfiles, _trt__GetProfilesResponse& trt__GetProfilesResponse);

class _trt__GetProfile { public: tt__ReferenceToken ProfileToken; };
class _trt__GetProfileResponse { public: tt__Profile* Profile; };
//gsoap trt service method-action: GetProfile http://www.onvif.org/ver10/media/wsdl/GetProfile
int __trt__GetProfile(_trt__GetProfile* trt__GetProfile, _trt__GetProfileResponse& trt__GetProfileResponse);

class _trt__GetVideoSources { public: struct soap* soap; };
class _trt__GetVideoSourcesResponse { public: std::vector<tt__VideoSource*> VideoSources 0; };
//gsoap trt service method-action: GetVideoSources http://www.onvif.org/ver10/media/wsdl/GetVideoSources
int __trt__GetVideoSources(_trt__GetVideoSources* trt__GetVideoSources,
                           _trt__GetVideoSourcesResponse& trt__GetVideoSourcesResponse);

class _trt__GetStreamUri { public: tt__StreamSetup* StreamSetup; tt__ReferenceToken ProfileToken; };
class _trt__GetStreamUriResponse { public: tt__MediaUri* MediaUri; };
//gsoap trt service method-action: GetStreamUri http://www.onvif.org/ver10/media/wsdl/GetStreamUri
int __trt__GetStreamUri(_trt__GetStreamUri* trt__GetStreamUri, _trt__GetStreamUriResponse& trt__GetStreamUriResponse);

class _trt__GetSnapshotUri { public: tt__ReferenceToken ProfileToken; };
class _trt__GetSnapshotUriResponse { public: tt__MediaUri* MediaUri; };
//gsoap trt service method-action: GetSnapshotUri http://www.onvif.org/ver10/media/wsdl/GetSnapshotUri
int __trt__GetSnapshotUri(_trt__GetSnapshotUri* trt__GetSnapshotUri,
                          _trt__GetSnapshotUriResponse& trt__GetSnapshotUriResponse);
