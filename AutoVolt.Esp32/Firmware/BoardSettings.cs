using System;
using System.IO;
using System.Text;

namespace AutoVolt.Esp32.Firmware;

/// <summary>Board configuration read from I:\autovolt.cfg (key=value lines; see autovolt.cfg.example).</summary>
public sealed class BoardSettings
{
    public string Name = string.Empty;
    public string Classroom = string.Empty;
    public string WifiSsid = string.Empty;
    public string WifiPassword = string.Empty;
    public string BrokerHost = string.Empty;
    public int BrokerPort = 8883;
    public bool BrokerTls = true;
    public string MqttPassword = string.Empty;
    public string[] DeviceIds = new string[0];
    public double[] RatedWatts = new double[0];
    public int[] RelayPins = new int[0];
    public int[] SwitchPins = new int[0];

    public static BoardSettings Load(string path)
    {
        BoardSettings s = new BoardSettings();
        string[] channels = new string[6];
        int count = 0;
        using (FileStream fs = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            byte[] bytes = new byte[(int)fs.Length];
            fs.Read(bytes, 0, bytes.Length);
            string[] lines = Encoding.UTF8.GetString(bytes, 0, bytes.Length).Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                int eq = line.IndexOf('=');
                if (line.Length == 0 || line[0] == '#' || eq < 1)
                {
                    continue;
                }

                string key = line.Substring(0, eq);
                string value = line.Substring(eq + 1);
                if (key == "name") { s.Name = value; }
                else if (key == "classroom") { s.Classroom = value; }
                else if (key == "wifi_ssid") { s.WifiSsid = value; }
                else if (key == "wifi_password") { s.WifiPassword = value; }
                else if (key == "broker_host") { s.BrokerHost = value; }
                else if (key == "broker_port") { s.BrokerPort = int.Parse(value); }
                else if (key == "broker_tls") { s.BrokerTls = value == "true"; }
                else if (key == "mqtt_password") { s.MqttPassword = value; }
                else if (key.Length == 3 && key[0] == 'c' && key[1] == 'h' && count < 6) { channels[count++] = value; }
            }
        }

        s.DeviceIds = new string[count];
        s.RatedWatts = new double[count];
        s.RelayPins = new int[count];
        s.SwitchPins = new int[count];
        for (int i = 0; i < count; i++)
        {
            string[] parts = channels[i].Split(':');
            s.DeviceIds[i] = parts[0];
            s.RatedWatts[i] = double.Parse(parts[1]);
            s.RelayPins[i] = int.Parse(parts[2]);
            s.SwitchPins[i] = parts.Length > 3 ? int.Parse(parts[3]) : -1;
        }

        return s;
    }
}
