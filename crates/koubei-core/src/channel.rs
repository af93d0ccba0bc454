//! Channels: the shop fronts reviews come from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The shop front a review was written on.
#[derive(
    Debug, Default, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Tmall,
    Taobao,
    Jd,
    Suning,
    Pdd,
    Douyin,
    OwnShop,
    #[default]
    Other,
}

/// A channel name that none of the known spellings matches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown channel {0:?} (expected tmall, taobao, jd, suning, pdd, douyin, own_shop or other)"
)]
pub struct UnknownChannel(pub String);

impl Channel {
    /// Every channel, in the order dashboards list them.
    pub const ALL: [Channel; 8] = [
        Channel::Tmall,
        Channel::Taobao,
        Channel::Jd,
        Channel::Suning,
        Channel::Pdd,
        Channel::Douyin,
        Channel::OwnShop,
        Channel::Other,
    ];

    /// The stable identifier used in the database, URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Tmall => "tmall",
            Channel::Taobao => "taobao",
            Channel::Jd => "jd",
            Channel::Suning => "suning",
            Channel::Pdd => "pdd",
            Channel::Douyin => "douyin",
            Channel::OwnShop => "own_shop",
            Channel::Other => "other",
        }
    }

    /// The name a Chinese-speaking user knows the channel by.
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Tmall => "天猫",
            Channel::Taobao => "淘宝",
            Channel::Jd => "京东",
            Channel::Suning => "苏宁",
            Channel::Pdd => "拼多多",
            Channel::Douyin => "抖音",
            Channel::OwnShop => "官网",
            Channel::Other => "其他",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = UnknownChannel;

    /// Accepts our identifiers and the spellings shop exports use, Chinese or English.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        let channel = match key.as_str() {
            "tmall" | "天猫" | "天猫商城" | "天猫旗舰店" => Channel::Tmall,
            "taobao" | "淘宝" | "淘宝网" => Channel::Taobao,
            "jd" | "jingdong" | "京东" | "京东商城" | "京东自营" => Channel::Jd,
            "suning" | "苏宁" | "苏宁易购" => Channel::Suning,
            "pdd" | "pinduoduo" | "拼多多" => Channel::Pdd,
            "douyin" | "tiktok" | "抖音" | "抖店" | "抖音商城" => Channel::Douyin,
            "ownshop" | "own" | "web" | "官网" | "官方商城" | "自营商城" | "小程序" => {
                Channel::OwnShop
            }
            "other" | "其他" | "其它" | "" => Channel::Other,
            _ => return Err(UnknownChannel(s.to_string())),
        };
        Ok(channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chinese_and_english_spellings() {
        assert_eq!("天猫".parse(), Ok(Channel::Tmall));
        assert_eq!(" JD ".parse(), Ok(Channel::Jd));
        assert_eq!("own_shop".parse(), Ok(Channel::OwnShop));
        assert_eq!("拼多多".parse(), Ok(Channel::Pdd));
        assert!("ebay".parse::<Channel>().is_err());
    }

    #[test]
    fn round_trips_through_as_str() {
        for channel in Channel::ALL {
            assert_eq!(channel.as_str().parse(), Ok(channel));
        }
    }
}
